"""How fast the scoped pages and API answer over a whole county, against the bare SQL they need.

    python bench/pages_bench.py [--data-dir DIR] [--scale 1] [--repeat 7]

Uses the demo county in ``--data-dir`` (SQLite) when it holds one, else builds one there (or in a
temporary folder) at ``--scale``. For each page, as a station user and as a county user, it prints
the median time of ``--repeat`` requests through Django's test client (middleware, scoping,
audit writes, template or JSON rendering included) and, as the baseline measured in the same run,
the median time of the database work alone: the same scoped query (``jurisdiction.scope``) counted
and its first 50 ids fetched, with no audit, rendering or middleware. The ratio says what ybss adds
on top of the scoped query.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGES = [
    ("persons list", "/persons/", "person"),
    ("persons search 王", "/persons/?q=王&purpose=bench", "person"),
    ("houses list", "/houses/", "house"),
    ("addresses list", "/addresses/", "address"),
    ("units list", "/units/", "unit"),
    ("API persons", "/api/persons?limit=50&purpose=bench", "person"),
    ("home (4 counts)", "/", None),
]


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="ybss-pages-")
    os.environ["YBSS_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ybss.settings.dev"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from ybss.demo.load import database_is_empty
    from ybss.org.models import User

    call_command("migrate", verbosity=0)
    if database_is_empty():
        print(f"building the demo county at scale {args.scale} in {data_dir} …", file=sys.stderr)
        call_command("demo", scale=args.scale, seed=7, verbosity=0)

    from ybss.addresses.models import StandardAddress
    from ybss.org import jurisdiction
    from ybss.registry.models import House, Person, Unit

    models = {"person": Person, "house": House, "address": StandardAddress, "unit": Unit}

    def raw(user, kind: str | None) -> None:
        for k in [kind] if kind else list(models):
            qs = jurisdiction.scope(models[k].objects.all(), user)
            qs.count()
            if kind:
                list(qs.order_by("-id").values_list("id", flat=True)[:50])

    print(f"ybss pages benchmark — SQLite, data in {data_dir}, median of {args.repeat}\n")
    print(f"{'user':<20}{'page':<22}{'ybss ms':>9}{'query ms':>12}{'ratio':>8}")
    print("-" * 71)
    for username in ("jinshui_officer1", "supervisor"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for label, url, kind in PAGES:
            client.get(url)  # warm templates and caches
            page = _median_ms(lambda u=url, c=client: c.get(u), args.repeat)
            base = _median_ms(lambda k=kind, u=user: raw(u, k), args.repeat)
            print(f"{username:<20}{label:<22}{page:>9.0f}{base:>12.1f}{page / base:>7.1f}×")


if __name__ == "__main__":
    main()
