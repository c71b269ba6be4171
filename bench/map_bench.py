"""How the marking map (标注) scales to a county: its JSON endpoints against loading everything.

    python bench/map_bench.py [--data-dir DIR] [--scale 1] [--repeat 7]

Uses the demo county in ``--data-dir`` (SQLite) when it holds one, else builds one there (or in a
temporary folder) at ``--scale``. Rough boundaries are drawn for every village (its door plates'
bounding box plus 300 m) when none exist, so the marking check has work to do.

For a station officer and a county supervisor it prints the median time of ``--repeat`` requests
through Django's test client (auth, scoping, JSON rendering included) and the answer's size:

* the count grid of the whole county (what the zoomed-out page loads), one point chunk (0.04°,
  the densest one the user can see), the first page of the to-do list, the rates;
* marking one door plate (POST, confirm) with the village boundaries drawn, and the same without
  any boundary (the check's cost);
* the baseline, measured in the same run: every door plate point in scope fetched at once and
  serialised — what a page without chunks and grid would have to load before drawing anything.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _median_ms(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def _densest_chunk(qs, chunk: float) -> tuple[str, int]:
    """The 0.04° chunk, cut as the page cuts them, holding most of ``qs``'s points."""
    cells: dict[tuple[int, int], int] = {}
    for x, y in qs.values_list("lng", "lat").iterator(chunk_size=20000):
        key = (int(float(x) // chunk), int(float(y) // chunk))
        cells[key] = cells.get(key, 0) + 1
    if not cells:
        return "110,35,110.04,35.04", 0
    (ix, iy), n = max(cells.items(), key=lambda kv: kv[1])
    return f"{ix * chunk:.4f},{iy * chunk:.4f},{(ix + 1) * chunk:.4f},{(iy + 1) * chunk:.4f}", n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="ybss-map-")
    os.environ["YBSS_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ybss.settings.dev"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Max, Min
    from django.test import Client

    from ybss.demo.load import database_is_empty

    call_command("migrate", verbosity=0)
    if database_is_empty():
        print(f"building the demo county at scale {args.scale} in {data_dir} …", file=sys.stderr)
        call_command("demo", scale=args.scale, seed=7, verbosity=0)

    from ybss.addresses.models import AddressLevel, MarkState, StandardAddress
    from ybss.mapping.models import Boundary
    from ybss.mapping.services import boundary_save
    from ybss.org import jurisdiction
    from ybss.org.models import User

    doors = StandardAddress.objects.filter(level=AddressLevel.DOOR, lng__isnull=False)
    if not Boundary.objects.exists():
        pad = 0.003
        for row in doors.values("division_id").annotate(
            x0=Min("lng"), y0=Min("lat"), x1=Max("lng"), y1=Max("lat")
        ):
            x0, y0, x1, y1 = (float(row[k]) for k in ("x0", "y0", "x1", "y1"))
            ring = [[x0 - pad, y0 - pad], [x1 + pad, y0 - pad], [x1 + pad, y1 + pad], [x0 - pad, y1 + pad]]
            ring.append(ring[0])
            boundary_save(
                actor=None,
                text=json.dumps({"type": "Polygon", "coordinates": [ring]}),
                division_code=row["division_id"],
            )
    n_doors = doors.count()
    ext = doors.aggregate(x0=Min("lng"), y0=Min("lat"), x1=Max("lng"), y1=Max("lat"))
    county_box = ",".join(f"{float(ext[k]):.4f}" for k in ("x0", "y0", "x1", "y1"))
    chunk = 0.04  # the page's point chunk at zoom 14

    county_cell = 64 * 360 / (256 * 2**11)  # the page at zoom 11 (the whole county on a desktop)

    print(
        f"ybss map benchmark — SQLite, data in {data_dir}, {n_doors} door plates with points, "
        f"{Boundary.objects.count()} boundaries, median of {args.repeat}\n"
    )
    print(f"{'user':<18}{'request':<34}{'ms':>8}{'items':>9}{'KB':>9}")
    print("-" * 78)
    for username in ("jinshui_officer1", "supervisor"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        scoped_doors = jurisdiction.scope(doors, user)
        chunk_box, dense = _densest_chunk(scoped_doors, chunk)

        def baseline(u=user):
            rows = list(
                jurisdiction.scope(doors, u).values_list("pk", "lng", "lat", "mark_state").order_by("pk")
            )
            body = json.dumps([[pk, float(x), float(y), s] for pk, x, y, s in rows])
            return len(rows), len(body)

        requests = [
            (
                "grid, whole county (zoom 11)",
                "/api/map/grid",
                {"bbox": county_box, "cell": f"{county_cell:.5f}"},
            ),
            (f"points, densest chunk ({dense})", "/api/map/doors", {"bbox": chunk_box}),
            ("to-do list, first page", "/api/map/todo", {}),
            ("rates", "/api/map/rates", {}),
        ]
        for label, url, params in requests:
            client.get(url, params)
            ms, resp = _median_ms(lambda u=url, p=params, c=client: c.get(u, p), args.repeat)
            body = resp.json()
            items = len(body.get("cells") or body.get("items") or []) if isinstance(body, dict) else 0
            print(f"{username:<18}{label:<34}{ms:>8.1f}{items:>9}{len(resp.content) / 1024:>9.1f}")
        ms, (rows, size) = _median_ms(baseline, args.repeat)
        print(f"{username:<18}{'BASELINE: every point at once':<34}{ms:>8.1f}{rows:>9}{size / 1024:>9.1f}")

        # Marking: the same door plate moved back and forth inside its village, confirmed.
        door = scoped_doors.filter(mark_state=MarkState.CONFIRMED).order_by("pk").first()
        if door is None or not jurisdiction.can_edit(user):
            continue
        b = Boundary.objects.filter(division_id=door.division_id).first()
        x, y = float(door.lng), float(door.lat)

        def mark(c=client, d=door, x=x, y=y):
            v = StandardAddress.objects.values_list("version", flat=True).get(pk=d.pk)
            r = c.post(
                f"/api/map/addresses/{d.pk}/mark",
                json.dumps({"lng": x, "lat": y, "system": "WGS84", "confirm": True, "version": v}),
                content_type="application/json",
            )
            assert r.status_code == 200, r.content
            return r

        mark()
        with_check, _ = _median_ms(mark, args.repeat)
        saved = None
        if b is not None:
            saved = (b.division_id, json.dumps(b.geometry))
            b.delete()
        without, _ = _median_ms(mark, args.repeat)
        if saved:
            boundary_save(actor=None, text=saved[1], division_code=saved[0])
        print(f"{username:<18}{'mark + rates, boundary drawn':<34}{with_check:>8.1f}")
        print(f"{username:<18}{'mark + rates, no boundary':<34}{without:>8.1f}")


if __name__ == "__main__":
    main()
