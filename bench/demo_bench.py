"""Benchmark ``ybss demo`` against a plain sqlite3 load of the very same rows.

    python bench/demo_bench.py [--scale 1] [--seed 7]

In a fresh temporary data directory (SQLite, WAL):

1. migrate (not timed) and keep a copy of the empty migrated database;
2. time ``ybss demo --scale S --seed N`` in-process, end to end (generation, org services, bulk
   load, ANALYZE; migrate excluded) and count the rows it wrote per table;
3. generate the same rows again (timed separately, for the record), then time loading them into
   the empty copy with plain ``sqlite3`` ``executemany`` in one transaction, with the same PRAGMAs
   as Django's connection (foreign_keys=ON, WAL, synchronous=NORMAL, cache_size);
4. print both, and the ratio demo / raw (target ≤ 3×).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0


def _setup(data_dir: str) -> None:
    os.environ["YBSS_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ybss.settings.dev"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _raw_load(path: str, tables: list, init_command: str) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    for pragma in init_command.split(";"):
        if pragma.strip():
            conn.execute(pragma)
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for t in tables:
        cols = ", ".join(f'"{c}"' for c in t.columns)
        marks = ", ".join("?" * len(t.columns))
        conn.executemany(f'INSERT INTO "{t.name}" ({cols}) VALUES ({marks})', t.rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def _timing(label: str, seconds: float, rows: int | None) -> None:
    rate = f"{rows / seconds:>11,.0f}" if rows else ""
    print(f"{label:<44}{seconds:>9.1f}{rate}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="ybss-bench-")
    try:
        _setup(tmp)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        from ybss.demo.generate import generate
        from ybss.demo.load import demo_password_hash

        call_command("migrate", interactive=False, verbosity=0)
        db_path = str(settings.DATABASES["default"]["NAME"])
        init_command = settings.DATABASES["default"]["OPTIONS"]["init_command"]
        connection.close()
        raw_path = str(Path(tmp) / "raw.sqlite3")
        shutil.copyfile(db_path, raw_path)

        started = time.perf_counter()
        call_command("demo", scale=args.scale, seed=args.seed, stdout=io.StringIO())
        demo_seconds = time.perf_counter() - started

        started = time.perf_counter()
        data = generate(args.scale, args.seed)
        gen_seconds = time.perf_counter() - started
        tables = [*data.org_tables(demo_password_hash(args.seed)).values(), *data.tables.values()]
        with connection.cursor() as cur:
            demo_counts = {}
            for t in tables:
                cur.execute(f'SELECT COUNT(*) FROM "{t.name}"')
                demo_counts[t.name] = cur.fetchone()[0]
        connection.close()

        raw_seconds = _raw_load(raw_path, tables, init_command)
        raw_conn = sqlite3.connect(raw_path)
        raw_counts = {
            t.name: raw_conn.execute(f'SELECT COUNT(*) FROM "{t.name}"').fetchone()[0] for t in tables
        }
        raw_conn.close()

        demo_total, raw_total = sum(demo_counts.values()), sum(raw_counts.values())
        ratio = demo_seconds / raw_seconds
        print(
            f"ybss demo benchmark — scale {args.scale}, seed {args.seed}, SQLite {sqlite3.sqlite_version}, "
            f"{os.cpu_count()} CPUs"
        )
        print()
        print(f"{'table':<28}{'demo rows':>12}{'raw rows':>12}")
        print("-" * 52)
        for t in tables:
            print(f"{t.name:<28}{demo_counts[t.name]:>12,}{raw_counts[t.name]:>12,}")
        print("-" * 52)
        print(f"{'total':<28}{demo_total:>12,}{raw_total:>12,}")
        print()
        print(f"{'run':<44}{'seconds':>9}{'rows/s':>11}")
        print("-" * 64)
        _timing("ybss demo (generate + load + ANALYZE)", demo_seconds, demo_total)
        _timing("  of which generate() alone (separate run)", gen_seconds, None)
        _timing("raw sqlite3 executemany, same rows", raw_seconds, raw_total)
        print("-" * 64)
        verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
        print(f"ratio demo / raw: {ratio:.2f}×  (target ≤ {TARGET_RATIO:.0f}×: {verdict})")
        if demo_counts != raw_counts:
            print("WARNING: the demo and the raw load wrote different row counts")
            return 1
        return 0 if ratio <= TARGET_RATIO else 2
    finally:
        if args.keep:
            print(f"data kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
