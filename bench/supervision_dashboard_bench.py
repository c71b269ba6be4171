"""How fast the county supervision dashboard answers over the scale-1 demo county, against pages
measured in the same run.

    python bench/supervision_dashboard_bench.py [--data-dir /work/benchdata] [--repeat 15] [--history 60]

Works on a copy of ``--data-dir``'s SQLite file (the backup API, into a temporary folder; the bench
county itself is never written): migrates it, counts today's rate facts (``rates_refresh``, timed)
and rebuilds ``--history`` days before today (``rates_backfill``, timed) so the progress chart and
the 7-day change have data, as a running server's nightly counts would give them. Then, signed in
as the county supervisor through Django's test client (middleware, scoping, templates and JSON
included), it times ``--repeat`` requests of:

* the county dashboard ``/supervision/`` (target: median under 300 ms), a station's and a police
  district's dashboard, and the JSON API (rates with children, history, ranking);
* the baselines: the home page (four scoped counts) and the first page of the house list.

It prints the median and 95th percentile of each, and the ratio of the dashboard to each baseline.
The map's requests (count grid of the whole county with progress, points of one chunk) are timed
too: the map loads them after the page, so they are not part of the page's time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 300.0


def copy_county(src: Path, dst: Path) -> None:
    """A consistent copy of the county's SQLite file (``sqlite3 SRC ".backup DST"``)."""
    source = sqlite3.connect(src / "ybss.sqlite3")
    target = sqlite3.connect(dst / "ybss.sqlite3")
    with target:
        source.backup(target)
    source.close()
    target.close()


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, p95) in milliseconds of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return statistics.median(times), p95


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=os.environ.get("YBSS_DATA_DIR", "/work/benchdata"))
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--history", type=int, default=60, help="days of facts to rebuild before today")
    ap.add_argument("--work-dir", default="", help="where to put the copy (default: a temporary folder)")
    args = ap.parse_args()

    work = Path(args.work_dir or tempfile.mkdtemp(prefix="ybss-dash-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"copying {args.data_dir}/ybss.sqlite3 to {work} …", file=sys.stderr)
    copy_county(Path(args.data_dir), work)
    os.environ["YBSS_DATA_DIR"] = str(work)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ybss.settings.dev"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from ybss.org.models import PoliceUnit, User
    from ybss.supervision import rates

    call_command("migrate", verbosity=0)

    today = timezone.localdate()
    t = time.perf_counter()
    facts = rates.rates_refresh(day=today, trigger="command")
    refresh_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    backfilled = rates.rates_backfill(
        start=today - dt.timedelta(days=args.history), end=today - dt.timedelta(days=1)
    )
    backfill_ms = (time.perf_counter() - t) * 1000

    supervisor = User.objects.get(username="supervisor")
    client = Client()
    client.force_login(supervisor)
    station = PoliceUnit.objects.filter(kind="station").order_by("code").first()
    district = PoliceUnit.objects.filter(kind="district", parent=station).order_by("code").first()
    assert station is not None and district is not None

    def get(url: str, **params: str) -> Callable[[], object]:
        def run() -> object:
            resp = client.get(url, params)
            assert resp.status_code == 200, (url, resp.status_code)
            return resp

        return run

    from ybss.mapping import selectors as map_selectors
    from ybss.mapping.selectors import BBox

    box = BBox(109.9, 35.0, 110.5, 35.5)
    centre = BBox(110.19, 35.24, 110.23, 35.28)

    rows: list[tuple[str, Callable[[], object]]] = [
        ("county dashboard /supervision/", get("/supervision/")),
        ("station dashboard", get(f"/supervision/node/police/{station.code}/")),
        ("district dashboard", get(f"/supervision/node/police/{district.code}/")),
        (
            "county by townships",
            get(f"/supervision/node/division/{rates.node_root(actor=supervisor, tree='division').code}/"),
        ),
        ("API rates + children", get("/api/supervision/rates")),
        ("API history (60 days)", get("/api/supervision/rates/history")),
        ("API ranking", get("/api/supervision/rates/ranking")),
        ("baseline: home page", get("/")),
        ("baseline: /houses/ page 1", get("/houses/")),
        (
            "map: county grid, progress",
            lambda: map_selectors.door_grid(actor=supervisor, box=box, cell=0.02, progress=True),
        ),
        ("map: county grid, plain", lambda: map_selectors.door_grid(actor=supervisor, box=box, cell=0.02)),
        (
            "map: one chunk of points, progress",
            lambda: map_selectors.door_points(actor=supervisor, box=centre, progress=True),
        ),
    ]
    results: dict[str, tuple[float, float]] = {}
    for label, fn in rows:
        fn()  # warm: templates, code lists, the day's facts
        results[label] = timed(fn, args.repeat)

    print(
        f"\nybss supervision dashboard benchmark — SQLite copy of {args.data_dir}, {args.repeat} runs each\n"
    )
    print(f"rates_refresh (today, every rate, every leaf): {refresh_ms:8.0f} ms  ({facts} facts)")
    print(
        f"rates_backfill ({args.history} days before today):   {backfill_ms:8.0f} ms  ({backfilled} facts)\n"
    )
    print(f"{'request':<40}{'median ms':>11}{'p95 ms':>10}")
    print("-" * 61)
    for label, (med, p95) in results.items():
        print(f"{label:<40}{med:>11.1f}{p95:>10.1f}")
    dash = results["county dashboard /supervision/"][0]
    print()
    for base in ("baseline: home page", "baseline: /houses/ page 1"):
        print(f"county dashboard ÷ {base.removeprefix('baseline: '):<18} {dash / results[base][0]:6.2f}×")
    verdict = "met" if dash < TARGET_MS else "NOT met"
    print(f"\ntarget: county dashboard median under {TARGET_MS:.0f} ms — {dash:.0f} ms, {verdict}")


if __name__ == "__main__":
    main()
