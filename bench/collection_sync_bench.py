"""Throughput of the phone sync endpoint (POST /api/collection/sync) on the scale-1 demo county.

A copy of the bench county (SQLite, or a PostgreSQL database you name) is served by ``ybss serve``
(waitress, one process) on this machine; client threads post household submissions (a new door
plate or an existing room, a house, two people) in batches over keep-alive HTTP, as phones would.
Then everything is sent again, shuffled (every answer must be ``duplicate``), and the rows are
counted: exactly once means one Submission per client id. The baseline in the same run is the
service itself called in-process (``sync_receive``, no HTTP), so the ratio shows what HTTP, JSON
and the server add.

    python bench/collection_sync_bench.py [--data-dir /work/benchdata] [--n 3000] [--batch 50] [--clients 2]

Target (issue 5): at least 200 submissions/s on 2 cores, exactly-once held.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_county(src: Path, dst: Path) -> None:
    """A consistent copy of the bench county's SQLite file (the backup API, not a file copy)."""
    source = sqlite3.connect(src / "ybss.sqlite3")
    target = sqlite3.connect(dst / "ybss.sqlite3")
    with target:
        source.backup(target)
    source.close()
    target.close()
    if (src / "static").exists():
        shutil.copytree(src / "static", dst / "static", dirs_exist_ok=True)


def id_number(rng: random.Random, seq: int) -> str:
    from ybss.core.identifiers import id_check_char

    year = rng.randint(1950, 2004)
    first17 = f"610524{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


def build(n: int, setup: dict, rng: random.Random, offset: int) -> list[dict]:
    """``n`` household submissions: 30% a new door plate, 70% a new room of an existing one."""
    out = []
    for i in range(n):
        k = offset + i
        persons = []
        for j in range(2):
            number = id_number(rng, k * 2 + j)
            sex = "1" if int(number[16]) % 2 else "2"
            persons.append(
                {
                    "cid": str(uuid.uuid4()),
                    "fields": {
                        "id_number": number,
                        "name": rng.choice("王李张刘陈杨赵黄")
                        + rng.choice(["建国", "秀英", "伟", "芳", "军", "娜"]),
                        "sex": sex,
                        "ethnicity": "01",
                        "phone": f"139{rng.randint(0, 99_999_999):08d}",
                        "hukou_division_code": setup["village"],
                    },
                    "residence": {
                        "residence_type": "permanent" if j == 0 else "lodging",
                        "relation": "02" if j == 0 else "10",
                    },
                }
            )
        house = {"cid": str(uuid.uuid4()), "fields": {"house_type": "bungalow", "use": "self"}}
        if rng.random() < 0.3:
            body = {
                "door": {
                    "cid": str(uuid.uuid4()),
                    "new": {
                        "division_code": setup["village"],
                        "road_id": setup["road"],
                        "door_number": str(5000 + k),
                        "lng": setup["lng"],
                        "lat": setup["lat"],
                    },
                },
                "house": house,
                "persons": persons,
            }
        else:
            door = rng.choice(setup["doors"])
            body = {
                "door": {"id": door, "version": 1},
                "room": {
                    "cid": str(uuid.uuid4()),
                    "new": {"unit_no": "9", "floor": 1 + k % 30, "room_no": f"{9000 + k}"},
                },
                "house": {**house, "fields": {"house_type": "apartment", "use": "self"}},
                "persons": persons,
            }
        out.append(
            {
                "client_id": str(uuid.uuid4()),
                "kind": "household",
                "started_at": "2026-11-20T10:00:00+08:00",
                "finished_at": "2026-11-20T10:06:00+08:00",
                "lat": setup["lat"],
                "lng": setup["lng"],
                "accuracy_m": 15,
                "payload": body,
            }
        )
    return out


def post_all(
    port: int, token: str, subs: list[dict], batch: int, clients: int
) -> tuple[float, dict[str, int]]:
    chunks = [subs[i : i + batch] for i in range(0, len(subs), batch)]
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    errors: list[str] = []

    def worker(my: list[list[dict]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for chunk in my:
            body = json.dumps({"device": "bench", "app_version": "1", "submissions": chunk})
            conn.request(
                "POST",
                "/api/collection/sync",
                body=body,
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            )
            resp = conn.getresponse()
            data = resp.read()
            if resp.status != 200:
                errors.append(f"{resp.status} {data[:300]!r}")
                continue
            with lock:
                for r in json.loads(data)["results"]:
                    statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(chunks[i::clients],)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise SystemExit(f"server errors: {errors[:3]}")
    return elapsed, statuses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default="/work/benchdata")
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--clients", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4, help="waitress threads")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    src = Path(args.data_dir)
    if not (src / "ybss.sqlite3").exists():
        raise SystemExit(
            f"no county in {src}: YBSS_DATA_DIR={src} ybss migrate && ybss demo --scale 1 --seed 7"
        )
    work = Path(tempfile.mkdtemp(prefix="ybss-syncbench-"))
    print(f"copying the county to {work} …", flush=True)
    copy_county(src, work)
    os.environ["YBSS_DATA_DIR"] = str(work)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE",
        "ybss.settings.dev",  # as the ybss command
    )
    subprocess.run([sys.executable, "-m", "ybss", "migrate", "-v", "0"], check=True, env=os.environ)
    import django

    django.setup()
    from ybss.addresses.models import AddressElement, StandardAddress
    from ybss.collection.models import Submission
    from ybss.collection.sync import sync_receive
    from ybss.org.models import ApiToken, User

    collector = (
        User.objects.filter(role="collector", police_unit__kind="district").order_by("username").first()
    )
    district = collector.police_unit
    villages = list(district.divisions.filter(level=5).values_list("code", flat=True))
    village = villages[0]
    road = AddressElement.objects.filter(division_id__in=villages).order_by("pk").first()
    doors = list(
        StandardAddress.objects.filter(police_unit=district, level="door", status="accepted")
        .exclude(lat=None)
        .values_list("pk", flat=True)[:500]
    )
    first = StandardAddress.objects.get(pk=doors[0])
    setup = {
        "village": road.division_id if road.division_id in villages else village,
        "road": road.pk,
        "doors": doors,
        "lng": float(first.lng),
        "lat": float(first.lat),
    }
    _token, key = ApiToken.issue(user=collector, name="sync bench")
    rng = random.Random(args.seed)
    subs = build(args.n, setup, rng, 0)
    baseline = build(max(args.n // 3, args.batch), setup, rng, args.n)

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ybss", "serve", "--port", str(port), "--threads", str(args.threads)],
        env=os.environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        post_all(port, key, build(args.batch, setup, rng, args.n * 3), args.batch, 1)  # warm up
        warm = Submission.objects.count()
        elapsed, statuses = post_all(port, key, subs, args.batch, args.clients)
        shuffled = subs[:]
        rng.shuffle(shuffled)
        again_s, again = post_all(port, key, shuffled, args.batch, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = Submission.objects.count() - warm
    t0 = time.perf_counter()
    for i in range(0, len(baseline), args.batch):
        sync_receive(actor=collector, submissions=baseline[i : i + args.batch], device="bench")
    base_s = time.perf_counter() - t0
    rate = args.n / elapsed
    base_rate = len(baseline) / base_s
    print()
    print(
        f"submissions: {args.n} household (2 people each), batches of {args.batch}, "
        f"{args.clients} client threads"
    )
    print(f"{'path':<42}{'seconds':>9}{'per second':>12}")
    print(f"{'HTTP sync, first arrival':<42}{elapsed:>9.2f}{rate:>12.0f}")
    print(f"{'HTTP sync, all again shuffled (retries)':<42}{again_s:>9.2f}{args.n / again_s:>12.0f}")
    print(f"{'baseline: sync_receive in-process':<42}{base_s:>9.2f}{base_rate:>12.0f}")
    print(f"HTTP / in-process: {rate / base_rate:.2f}")
    print(f"answers first: {statuses}; again: {again}")
    once = stored == args.n and statuses.get("accepted", 0) == args.n and again.get("duplicate", 0) == args.n
    print(f"exactly once: {'held' if once else 'BROKEN'} ({stored} rows for {args.n} client ids)")
    print(f"target ≥ 200 submissions/s: {'met' if rate >= 200 and once else 'not met'}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
