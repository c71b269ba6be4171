"""Benchmark export and import of the demo county's persons against a raw load of the same rows.

    python bench/transfer_bench.py [--data-dir DIR] [--scale 1] [--seed 7] [--pg [URL]] [--million [N]]
        [--keep]

The issue-3 "Must show": the scale-1 demo county's persons (218,711 rows, each with its current
residence) are exported to xlsx and csv, then imported into a database that holds the county
without its persons, with full validation (``ybss.transfer.importing.run_import``); beside the
import, in the same run, a raw load of the same rows (the ``registry_person`` and
``registry_residence`` rows of the source database) into another copy of that database: ``sqlite3``
``executemany`` in one transaction on SQLite, ``COPY`` on PostgreSQL. Prints rows/s, peak memory
and the ratio import / raw (targets: csv import ≥ 20,000 rows/s on SQLite, ≤ 3× the raw load).

"Empty" means empty of persons: addresses and houses stay, because every person hangs off a house
(先房后人); residences and employments go with the persons, and houses' landlord links are cleared.

Every step runs in a child process (this script with ``--child``), so its peak memory
(``ru_maxrss``) is its own; "base" is the child's peak right after Django is set up, before the
step. Times exclude process start and Django setup.

``--million``: also import a file of 1,000,000 rows (the exported rows repeated with fresh valid
ID numbers) on SQLite and report its peak memory (target: under 1 GB).

SQLite: the demo county is built in ``--data-dir`` when that holds no database (a temporary folder
without the option). PostgreSQL (``--pg``, default URL ``postgres://postgres@127.0.0.1:5432``):
the county is built in database ``ybss_transfer_bench`` unless it already holds it; the import and raw
targets are ``CREATE DATABASE … TEMPLATE`` copies of a persons-free copy, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0
TARGET_CSV_ROWS_S = 20_000
EXPORT_USER = "investigator"  # county-wide and sees full identifiers: the file can be imported back
IMPORT_USER = "admin"  # county-wide, may edit
PERSON_TABLES = ("registry_person", "registry_residence")  # what the raw load writes
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432"
PG_SOURCE = "ybss_transfer_bench"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------------------------
# Child steps: one process each, environment (YBSS_DATA_DIR / DATABASE_URL) set by the parent.


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ybss.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_export(fmt: str, path: str) -> dict[str, Any]:
    _django()
    from ybss.org.models import User
    from ybss.transfer.exporting import export_to_file

    actor = User.objects.select_related("police_unit", "division").get(username=EXPORT_USER)
    base = _rss_mb()
    started = time.perf_counter()
    result = export_to_file("persons", actor, path, fmt=fmt, purpose="benchmark")
    seconds = time.perf_counter() - started
    return {"rows": result.rows, "seconds": seconds, "peak_mb": _rss_mb(), "base_mb": base}


def child_import(path: str) -> dict[str, Any]:
    _django()
    from ybss.org.models import User
    from ybss.registry.models import Person, Residence
    from ybss.transfer.importing import ImportOptions, run_import

    actor = User.objects.select_related("police_unit", "division").get(username=IMPORT_USER)
    before = Person.objects.count()
    base = _rss_mb()
    started = time.perf_counter()
    report = run_import(actor=actor, kind="persons", path=path, options=ImportOptions())
    seconds = time.perf_counter() - started
    errors = [(i.row, i.column, i.code) for i in report.errors][:5]
    return {
        "rows": report.rows,
        "state": report.state,
        "errors": errors,
        "persons_before": before,
        "persons": Person.objects.count(),
        "residences": Residence.objects.count(),
        "seconds": seconds,
        "peak_mb": _rss_mb(),
        "base_mb": base,
    }


def child_raw_sqlite(source: str, target: str) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from ybss.settings.base import database_config  # the PRAGMAs of Django's connection

    init_command = database_config()["OPTIONS"]["init_command"]
    src = sqlite3.connect(source)
    tables = {t: src.execute(f'SELECT * FROM "{t}"').fetchall() for t in PERSON_TABLES}
    src.close()
    base = _rss_mb()
    conn = sqlite3.connect(target, isolation_level=None)
    for pragma in init_command.split(";"):
        if pragma.strip():
            conn.execute(pragma)
    conn.execute("PRAGMA foreign_keys = ON")
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for t, rows in tables.items():
        marks = ", ".join("?" * len(rows[0]))
        conn.executemany(f'INSERT INTO "{t}" VALUES ({marks})', rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    counts = {t: len(r) for t, r in tables.items()}
    return {
        "rows": counts["registry_person"],
        "counts": counts,
        "seconds": seconds,
        "peak_mb": _rss_mb(),
        "base_mb": base,
    }


def child_raw_pg(source_url: str, target_url: str) -> dict[str, Any]:
    import psycopg

    data: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    with psycopg.connect(source_url) as src, src.cursor() as cur:
        for t in PERSON_TABLES:
            buf = bytearray()
            with cur.copy(f"COPY {t} TO STDOUT") as copy:
                for chunk in copy:
                    buf += chunk
            data[t] = bytes(buf)
            counts[t] = cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
    base = _rss_mb()
    with psycopg.connect(target_url) as conn:
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            for t in PERSON_TABLES:
                with cur.copy(f"COPY {t} FROM STDIN") as copy:
                    copy.write(data[t])
        seconds = time.perf_counter() - started
    return {
        "rows": counts["registry_person"],
        "counts": counts,
        "seconds": seconds,
        "peak_mb": _rss_mb(),
        "base_mb": base,
    }


# ---------------------------------------------------------------------------------------------
# The parent: prepare the databases, run the children, print the table.


def _run_child(env: dict[str, str], *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"step {args[0]} failed ({out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "YBSS_DATA_DIR")}
    env["DJANGO_SETTINGS_MODULE"] = "ybss.settings.dev"
    env.update(extra)
    return env


def _ybss(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ybss", *args], env=env, capture_output=True, text=True, cwd=ROOT
    )


def _persons_expected(scale: float) -> int:
    sys.path.insert(0, str(ROOT))
    from ybss.demo.generate import totals_for

    return totals_for(scale).persons


def _holds_county(env: dict[str, str], count_persons: Any, scale: float) -> bool:
    """True when the database holds the demo county at ``scale`` (checked by its person count)."""
    if _ybss(env, "demo", "--status").returncode != 0:
        return False
    return count_persons() == _persons_expected(scale)


def _empty_of_persons_sql(fks: list[tuple[str, str, bool]]) -> list[str]:
    """Statements that remove the persons, their residences and employments, and unlink the rest.

    ``fks``: (table, column, nullable) of every foreign key into the removed tables."""
    removed = ("registry_employment", "registry_residence", "registry_person")
    sql = []
    for table, column, nullable in fks:
        if table in removed:
            continue
        if nullable:
            sql.append(f'UPDATE "{table}" SET "{column}" = NULL WHERE "{column}" IS NOT NULL')
        else:
            sql.append(f'DELETE FROM "{table}"')
    sql += [f'DELETE FROM "{t}"' for t in removed]
    return sql


def _sqlite_empty_copy(source: Path, target: Path) -> None:
    if target.exists():
        target.unlink()
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    src.backup(dst)
    src.close()
    removed = ("registry_employment", "registry_residence", "registry_person")
    fks = []
    for (table,) in dst.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        cols = {r[1]: not r[3] for r in dst.execute(f'PRAGMA table_info("{table}")')}
        for fk in dst.execute(f'PRAGMA foreign_key_list("{table}")'):
            if fk[2] in removed:
                fks.append((table, fk[3], cols[fk[3]]))
    dst.execute("PRAGMA foreign_keys = ON")
    with dst:
        for statement in _empty_of_persons_sql(fks):
            dst.execute(statement)
    dst.execute("ANALYZE")
    dst.execute("PRAGMA journal_mode = WAL")
    dst.close()


def _pg_admin(base: str) -> Any:
    import psycopg

    return psycopg.connect(f"{base}/postgres", autocommit=True)


def _pg_clone(base: str, template: str, name: str) -> None:
    with _pg_admin(base) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _pg_drop(base: str, *names: str) -> None:
    with _pg_admin(base) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_empty(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        fks = conn.execute(
            """
            SELECT tc.table_name, kcu.column_name, c.is_nullable = 'YES'
            FROM information_schema.table_constraints tc
            JOIN information_schema.key_column_usage kcu ON tc.constraint_name = kcu.constraint_name
            JOIN information_schema.constraint_column_usage ccu ON tc.constraint_name = ccu.constraint_name
            JOIN information_schema.columns c
              ON c.table_name = tc.table_name AND c.column_name = kcu.column_name
            WHERE tc.constraint_type = 'FOREIGN KEY'
              AND ccu.table_name IN ('registry_employment', 'registry_residence', 'registry_person')
            """
        ).fetchall()
        with conn.transaction():
            for statement in _empty_of_persons_sql([tuple(r) for r in fks]):
                conn.execute(statement)
        conn.execute("VACUUM ANALYZE")


def _line(backend: str, step: str, r: dict[str, Any]) -> str:
    rate = r["rows"] / r["seconds"] if r["seconds"] else 0
    print(f"  {backend} {step}: {r['rows']:,} rows, {r['seconds']:.1f} s", file=sys.stderr, flush=True)
    return (
        f"{backend:<11}{step:<34}{r['rows']:>10,}{r['seconds']:>9.1f}{rate:>10,.0f}"
        f"{r['peak_mb']:>9.0f}{r['base_mb']:>7.0f}"
    )


HEADER = f"{'backend':<11}{'step':<34}{'rows':>10}{'seconds':>9}{'rows/s':>10}{'peak MB':>9}{'base':>7}"


def _verdicts(backend: str, imp: dict[str, Any], raw: dict[str, Any], csv_target: bool) -> list[str]:
    ratio = imp["seconds"] / raw["seconds"]
    rate = imp["rows"] / imp["seconds"]
    out = [f"{backend}: ratio import csv / raw load: {ratio:.2f}×  (target ≤ {TARGET_RATIO:.0f}×: "
           f"{'OK' if ratio <= TARGET_RATIO else 'OVER TARGET'})"]  # fmt: skip
    if csv_target:
        ok = "OK" if rate >= TARGET_CSV_ROWS_S else "UNDER TARGET"
        out.append(f"{backend}: csv import {rate:,.0f} rows/s  (target ≥ {TARGET_CSV_ROWS_S:,}: {ok})")
    return out


def _raw_note(backend: str, raw: dict[str, Any]) -> str:
    tables = " + ".join(f"{n:,} {t}" for t, n in raw["counts"].items())
    return f"{backend}: the raw load wrote {tables} rows (the import writes these and their history)"


def _check_import(label: str, r: dict[str, Any], expected: int) -> None:
    if r["state"] != "written" or r["persons"] != expected or r["persons_before"] != 0:
        raise SystemExit(f"{label}: import did not write the {expected} persons: {r}")


def run_sqlite(args: argparse.Namespace, work: Path) -> tuple[list[str], list[str]]:
    data_dir = Path(args.data_dir or work / "source").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    source = data_dir / "ybss.sqlite3"
    env = _env(YBSS_DATA_DIR=str(data_dir))

    def count() -> int:
        with closing(sqlite3.connect(source)) as conn:
            return conn.execute("SELECT COUNT(*) FROM registry_person").fetchone()[0]

    if not _holds_county(env, count, args.scale):
        print(
            f"building the demo county (scale {args.scale}, seed {args.seed}) in {data_dir} …",
            file=sys.stderr,
        )
        built = _ybss(env, "demo", "--scale", str(args.scale), "--seed", str(args.seed), "--reset")
        if built.returncode != 0:
            raise SystemExit(built.stderr)
    empty = work / "empty.sqlite3"
    _sqlite_empty_copy(source, empty)

    lines, verdicts = [], []
    results = {}
    for fmt in ("xlsx", "csv"):
        results[f"export {fmt}"] = _run_child(env, "export", fmt, str(work / f"persons.{fmt}"))
        lines.append(_line("SQLite", f"export {fmt}", results[f"export {fmt}"]))
    expected = results["export csv"]["rows"]
    for fmt in ("csv", "xlsx"):
        target = work / f"import_{fmt}"
        target.mkdir(exist_ok=True)
        shutil.copyfile(empty, target / "ybss.sqlite3")
        r = _run_child(_env(YBSS_DATA_DIR=str(target)), "import", str(work / f"persons.{fmt}"))
        _check_import(f"SQLite import {fmt}", r, expected)
        results[f"import {fmt}"] = r
        lines.append(_line("SQLite", f"import {fmt} (full validation)", r))
        shutil.rmtree(target, ignore_errors=True)
    raw_target = work / "raw.sqlite3"
    shutil.copyfile(empty, raw_target)
    raw = _run_child(_env(YBSS_DATA_DIR=str(work)), "raw-sqlite", str(source), str(raw_target))
    lines.append(_line("SQLite", "raw load, sqlite3 executemany", raw))
    verdicts += _verdicts("SQLite", results["import csv"], raw, csv_target=True)
    verdicts.append(_raw_note("SQLite", raw))
    raw_target.unlink(missing_ok=True)
    return lines, verdicts


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_with_sequence(number: str, seq: int) -> str:
    body = f"{number[:14]}{seq:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def widen_csv(source: Path, target: Path, rows: int) -> int:
    """Copy the exported persons csv, repeating its rows with fresh valid ID numbers (same
    region, birth date and sex; another sequence number, check digit recomputed) until ``rows``
    data rows: the 1-million-row file for the memory target. Returns the rows written."""
    import csv

    with open(source, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        col = header.index("证件号码")
        data = [r for r in reader if len(r) == len(header) and len(r[col]) == 18]  # not the footer
    ref = header.index("来源编号")
    used = {r[col] for r in data}
    written = 0
    with open(target, "w", encoding="utf-8-sig", newline="") as out:
        w = csv.writer(out)
        w.writerow(header)
        copy = 0
        while written < rows:
            for r in data:
                if written >= rows:
                    break
                r = list(r)
                if copy:
                    seq = int(r[col][14:17])
                    while True:  # step by 2: the parity of the sequence number is the sex
                        seq = (seq + 2) % 1000
                        candidate = _id_with_sequence(r[col], seq)
                        if candidate not in used:
                            break
                    used.add(candidate)
                    r[col] = candidate
                    r[ref] = f"W{copy}-{written}"
                w.writerow(r)
                written += 1
            copy += 1
    return written


def run_million(args: argparse.Namespace, work: Path, exported: Path, empty: Path) -> list[str]:
    """The memory target: import ``args.million`` rows (SQLite) and report the peak."""
    big = work / "persons_million.csv"
    # in a child: Linux keeps a process's peak RSS across fork and exec, so building the file
    # here would show up as the import child's peak
    n = _run_child(_env(), "widen", str(exported), str(big), str(args.million))["rows"]
    target = work / "import_million"
    target.mkdir(exist_ok=True)
    shutil.copyfile(empty, target / "ybss.sqlite3")
    r = _run_child(_env(YBSS_DATA_DIR=str(target)), "import", str(big))
    _check_import("SQLite import 1M", r, n)
    shutil.rmtree(target, ignore_errors=True)
    big.unlink()
    verdict = "OK" if r["peak_mb"] < 1024 else "OVER TARGET"
    return [
        _line("SQLite", f"import csv, {n:,} rows", r),
        f"SQLite: peak memory importing {n:,} rows: {r['peak_mb']:.0f} MB  (target < 1,024 MB: {verdict})",
    ]


def run_pg(args: argparse.Namespace, work: Path) -> tuple[list[str], list[str]]:
    import psycopg

    base = args.pg.rstrip("/")
    source_url = f"{base}/{PG_SOURCE}"
    with _pg_admin(base) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_SOURCE]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{PG_SOURCE}"')
    env = _env(DATABASE_URL=source_url)

    def count() -> int:
        with psycopg.connect(source_url) as conn:
            return conn.execute("SELECT COUNT(*) FROM registry_person").fetchone()[0]

    if not _holds_county(env, count, args.scale):
        print(f"building the demo county (scale {args.scale}) in PostgreSQL {PG_SOURCE} …", file=sys.stderr)
        built = _ybss(env, "demo", "--scale", str(args.scale), "--seed", str(args.seed), "--reset")
        if built.returncode != 0:
            raise SystemExit(built.stderr)
    empty, imp_db, raw_db = f"{PG_SOURCE}_empty", f"{PG_SOURCE}_import", f"{PG_SOURCE}_raw"
    lines, verdicts, results = [], [], {}
    try:
        _pg_clone(base, PG_SOURCE, empty)
        _pg_empty(f"{base}/{empty}")
        for fmt in ("xlsx", "csv"):
            results[f"export {fmt}"] = _run_child(env, "export", fmt, str(work / f"pg_persons.{fmt}"))
            lines.append(_line("PostgreSQL", f"export {fmt}", results[f"export {fmt}"]))
        expected = results["export csv"]["rows"]
        for fmt in ("csv", "xlsx"):
            _pg_clone(base, empty, imp_db)
            r = _run_child(_env(DATABASE_URL=f"{base}/{imp_db}"), "import", str(work / f"pg_persons.{fmt}"))
            _check_import(f"PostgreSQL import {fmt}", r, expected)
            results[f"import {fmt}"] = r
            lines.append(_line("PostgreSQL", f"import {fmt} (full validation)", r))
        _pg_clone(base, empty, raw_db)
        raw = _run_child(_env(), "raw-pg", source_url, f"{base}/{raw_db}")
        lines.append(_line("PostgreSQL", "raw load, COPY", raw))
        verdicts += _verdicts("PostgreSQL", results["import csv"], raw, csv_target=False)
        verdicts.append(_raw_note("PostgreSQL", raw))
    finally:
        _pg_drop(base, imp_db, raw_db, empty)
    return lines, verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default="", help="SQLite data dir holding (or to hold) the demo county")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pg", nargs="?", const=PG_DEFAULT, default="", help=f"also PostgreSQL (default {PG_DEFAULT})"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--million",
        type=int,
        nargs="?",
        const=1_000_000,
        default=0,
        help="also import this many rows (default 1,000,000; the exported rows repeated with new "
        "ID numbers) on SQLite and report the peak memory",
    )
    parser.add_argument("--keep", action="store_true", help="keep the exported files and work folder")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        step, *rest = args.child
        fn = {
            "export": child_export,
            "import": child_import,
            "raw-sqlite": child_raw_sqlite,
            "raw-pg": child_raw_pg,
            "widen": lambda src, dst, n: {"rows": widen_csv(Path(src), Path(dst), int(n))},
        }
        print(json.dumps(fn[step](*rest)))
        return 0

    work = Path(tempfile.mkdtemp(prefix="ybss-transfer-bench-"))
    lines: list[str] = []
    verdicts: list[str] = []
    try:
        if not args.no_sqlite:
            got = run_sqlite(args, work)
            lines += got[0]
            verdicts += got[1]
        if args.pg:
            got = run_pg(args, work)
            lines += got[0]
            verdicts += got[1]
        if args.million and not args.no_sqlite:
            million = run_million(args, work, work / "persons.csv", work / "empty.sqlite3")
            lines.append(million[0])
            verdicts.append(million[1])
    finally:
        if args.keep:
            print(f"files kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"ybss transfer benchmark — persons of the demo county (scale {args.scale}, seed {args.seed}), "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs"
    )
    print()
    print(HEADER)
    print("-" * len(HEADER))
    for line in lines:
        print(line)
    print("-" * len(HEADER))
    for v in verdicts:
        print(v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
