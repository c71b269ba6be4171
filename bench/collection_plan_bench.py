"""Benchmark the staggered-time day plan (错时采集) against the naive plan on the demo county.

    python bench/collection_plan_bench.py [--data-dir /work/benchdata] [--weekday 2026-11-04]
        [--weekend 2026-11-07] [--seed 7]

1. In the data folder (SQLite; built with ``ybss migrate && ybss demo --scale 1 --seed 7`` when
   it holds no county yet), simulate the start of a collection round: every police district's
   households (room addresses, and door plates without rooms) are split between the district's
   two collectors by door-plate order (whole door plates, first half / second half), one open task
   each, created with bulk_create inside a transaction that is rolled back at the end, so the
   county stays reusable.
2. For a weekday and a weekend day: plan every collector's day (``planning.plan_inputs`` — the
   eight bulk queries — then ``scheduling.plan_day`` per collector) and, from the same inputs, the
   naive plan (address order, daytime shifts). Reported: the time to plan all collectors (loading
   + planning) and per collector; visits planned, in-window share and route km per collector
   (mean / median); and a simulated home-hit rate.
3. The simulation: each household's "true" pattern is its inferred kind with probability 0.8,
   else another kind (an unknown household always gets a random one); someone is home with
   probability 0.85 during the true pattern's windows and 0.15 outside them. Draws are seeded per
   household, day and half hour, so both plans meet the same world.

Target: plan a day for every collector in under 10 s in total.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0
P_HOME_IN, P_HOME_OUT, P_TRUE_KIND = 0.85, 0.15, 0.8


def _setup(data_dir: str) -> None:
    os.environ["YBSS_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ybss.settings.dev"
    sys.path.insert(0, str(ROOT))
    db = Path(data_dir) / "ybss.sqlite3"
    if not _has_county(db):
        print(f"no demo county in {data_dir}: building it (ybss migrate && ybss demo --scale 1 --seed 7)")
        env = {**os.environ}
        cmd = [sys.executable, "-m", "ybss"]
        subprocess.run([*cmd, "migrate", "-v0"], check=True, env=env, cwd=ROOT)
        subprocess.run([*cmd, "demo", "--scale", "1", "--seed", "7"], check=True, env=env, cwd=ROOT)
    import django

    django.setup()


def _has_county(db: Path) -> bool:
    if not db.exists():
        return False
    import sqlite3

    try:
        conn = sqlite3.connect(db)
        n = conn.execute("SELECT COUNT(*) FROM addresses_standardaddress").fetchone()[0]
        conn.close()
    except sqlite3.Error:
        return False
    return n > 100_000


class _Rollback(Exception):
    pass


def _make_tasks(deadline: dt.date) -> tuple[int, int]:
    """One open task per collector over half of their district's households. Returns (tasks, items)."""
    from django.utils import timezone

    from ybss.addresses.models import AddressLevel, StandardAddress
    from ybss.collection.models import CollectionTask, TaskItem
    from ybss.core.models import RecordStatus
    from ybss.org.models import Role, User

    rows = list(
        StandardAddress.objects.exclude(status=RecordStatus.VOIDED)
        .order_by("code")
        .values_list("pk", "level", "parent_id", "code", "police_unit_id", "division_id")
    )
    with_rooms = {r[2] for r in rows if r[1] == AddressLevel.ROOM}
    code_of = {r[0]: r[3] for r in rows}
    # (door code, household code, address id, door id, police unit, division) per district
    by_district: dict[str, list[tuple[str, str, int, int, str, str]]] = {}
    for pk, level, parent, code, unit, division in rows:
        if level == AddressLevel.ROOM:
            door = parent
        elif pk in with_rooms:
            continue
        else:
            door = pk
        by_district.setdefault(unit, []).append((code_of.get(door, code), code, pk, door, unit, division))
    collectors: dict[str, list[User]] = {}
    for u in User.objects.filter(role=Role.COLLECTOR, is_active=True).order_by("username"):
        collectors.setdefault(u.police_unit_id, []).append(u)
    now = timezone.now()
    n_tasks = n_items = 0
    for unit, households in sorted(by_district.items()):
        staff = collectors.get(unit) or []
        if not staff:
            continue
        households.sort()
        doors = sorted({h[0] for h in households})
        cut = len(doors) // len(staff) + (1 if len(doors) % len(staff) else 0)
        door_rank = {d: i // cut for i, d in enumerate(doors)}
        for j, user in enumerate(staff):
            mine = [h for h in households if door_rank[h[0]] == j]
            if not mine:
                continue
            divisions = {h[5] for h in mine}
            division = _common_division(sorted(divisions))
            task = CollectionTask.objects.create(
                name=f"bench {user.username}",
                assignee=user,
                target=len(mine),
                deadline=deadline,
                division_id=division,
                police_unit_id=unit,
                status=RecordStatus.ACCEPTED,
                created_at=now,
                updated_at=now,
            )
            TaskItem.objects.bulk_create(
                [
                    TaskItem(
                        task=task,
                        address_id=h[2],
                        door_id=h[3],
                        seq=i,
                        division_id=h[5],
                        police_unit_id=h[4],
                    )
                    for i, h in enumerate(mine)
                ],
                batch_size=5000,
            )
            n_tasks += 1
            n_items += len(mine)
    return n_tasks, n_items


def _common_division(codes: list[str]) -> str:
    if len(set(codes)) == 1:
        return codes[0]
    for length in (9, 6):
        if len({c[:length] for c in codes}) == 1:
            return codes[0][:length].ljust(12, "0")
    return codes[0][:6].ljust(12, "0")


def _true_kind(key: int, kind: str, seed: int) -> str:
    import numpy as np

    from ybss.collection import scheduling as sch

    rng = np.random.default_rng([seed, key])
    known = [sch.OFFICE, sch.SHOP, sch.ELDERLY, sch.FARM]
    if kind in known and rng.random() < P_TRUE_KIND:
        return kind
    others = [k for k in known if k != kind]
    return others[int(rng.integers(len(others)))]


def _home(stop, true_kind: str, day: dt.date, seed: int) -> bool:
    import numpy as np

    from ybss.collection import scheduling as sch

    start = stop.start.hour * 60 + stop.start.minute
    inside = any(
        a.hour * 60 + a.minute <= start and start + 15 <= b.hour * 60 + b.minute
        for a, b in sch.windows_for(true_kind, day)
    )
    rng = np.random.default_rng([seed, int(stop.key), day.toordinal(), start // 30])
    return rng.random() < (P_HOME_IN if inside else P_HOME_OUT)


def _measure(day: dt.date, seed: int) -> list[dict]:
    from ybss.collection import planning

    started = time.perf_counter()
    inputs = planning.plan_inputs(day)
    load = time.perf_counter() - started
    kinds = {h.key: h.kind for inp in inputs.values() for h in inp.households}
    truth = {k: _true_kind(int(k), kind, seed) for k, kind in kinds.items()}
    out = []
    for naive in (False, True):
        per: list[float] = []
        plans = []
        for inp in inputs.values():
            t0 = time.perf_counter()
            plans.append(planning.plan_for(inp, day, naive=naive))
            per.append(time.perf_counter() - t0)
        stops = [s for p in plans for s in p.stops]
        hits = sum(_home(s, truth[s.key], day, seed) for s in stops)
        visits = [p.count for p in plans]
        shares = [p.in_window_share for p in plans if p.count]
        km = [p.route_m / 1000 for p in plans]
        out.append(
            {
                "day": day,
                "plan": "naive" if naive else "staggered",
                "collectors": len(plans),
                "households": sum(len(i.households) for i in inputs.values()),
                "load": load,
                "compute": sum(per),
                "total": load + sum(per),
                "per_mean_ms": 1000 * statistics.mean(per) if per else 0.0,
                "per_max_ms": 1000 * max(per) if per else 0.0,
                "visits_mean": statistics.mean(visits) if visits else 0.0,
                "visits_median": statistics.median(visits) if visits else 0.0,
                "share_mean": statistics.mean(shares) if shares else 0.0,
                "share_median": statistics.median(shares) if shares else 0.0,
                "km_mean": statistics.mean(km) if km else 0.0,
                "km_median": statistics.median(km) if km else 0.0,
                "m_per_visit": (1000 * sum(km) / len(stops)) if stops else 0.0,
                "hit_rate": hits / len(stops) if stops else 0.0,
                "home_per_collector": hits / len(plans) if plans else 0.0,
                "kinds": kinds,
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default="/work/benchdata")
    parser.add_argument("--weekday", default="2026-11-04", help="a Monday–Friday (default Wed 4 Nov 2026)")
    parser.add_argument(
        "--weekend", default="2026-11-07", help="a Saturday or Sunday (default Sat 7 Nov 2026)"
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the simulated presence")
    args = parser.parse_args(argv)
    days = [dt.date.fromisoformat(args.weekday), dt.date.fromisoformat(args.weekend)]

    _setup(str(Path(args.data_dir).resolve()))
    from collections import Counter

    from django.db import transaction

    rows: list[dict] = []
    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            n_tasks, n_items = _make_tasks(max(days) + dt.timedelta(days=60))
            setup_s = time.perf_counter() - t0
            for day in days:
                rows.extend(_measure(day, args.seed))
            raise _Rollback
    except _Rollback:
        pass

    import sqlite3

    kinds = Counter(rows[0]["kinds"].values()) if rows else Counter()
    total = sum(kinds.values()) or 1
    print(
        f"collection plan benchmark — demo county (scale 1, seed 7) in {args.data_dir}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs"
    )
    print(
        f"round set up: {n_tasks} tasks, {n_items:,} households (bulk_create {setup_s:.1f} s, rolled back); "
        "kinds: " + ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in kinds.most_common())
    )
    print()
    head = (
        "| day | plan | collectors | plan all s (load + plan) | per collector ms (mean / max) "
        "| visits / collector (mean / median) | in window % (mean / median) | route km (mean / median) "
        "| m per visit | home-hit % | found home / collector |"
    )
    print(head)
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        label = f"{r['day']:%a %Y-%m-%d}"
        print(
            f"| {label} | {r['plan']} | {r['collectors']} "
            f"| {r['total']:.2f} ({r['load']:.2f} + {r['compute']:.2f}) "
            f"| {r['per_mean_ms']:.1f} / {r['per_max_ms']:.1f} "
            f"| {r['visits_mean']:.1f} / {r['visits_median']:.0f} "
            f"| {100 * r['share_mean']:.1f} / {100 * r['share_median']:.1f} "
            f"| {r['km_mean']:.2f} / {r['km_median']:.2f} "
            f"| {r['m_per_visit']:.0f} "
            f"| {100 * r['hit_rate']:.1f} "
            f"| {r['home_per_collector']:.1f} |"
        )
    worst = max((r["total"] for r in rows if r["plan"] == "staggered"), default=float("inf"))
    verdict = "met" if worst < TARGET_SECONDS else "not met"
    print()
    print(f"target: plan all < {TARGET_SECONDS:.0f} s: {verdict} (slowest day {worst:.2f} s)")
    return 0 if verdict == "met" else 2


if __name__ == "__main__":
    sys.exit(main())
