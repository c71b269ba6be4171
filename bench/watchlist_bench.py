"""Watch-list comparison (issue 8): a 10,000-row list against >= 1,000,000 persons, on SQLite.

A copy of the scale-1 demo county (SQLite backup API, in a temp folder; the bench county itself is
never written) is padded to ``--persons`` people with ``executemany``-speed ``INSERT … SELECT``
copies of its people (another region in the ID number, the birth date moved by k×37 days, the same
names: so the population has realistic name frequencies). Then a list of ``--entries`` rows is
uploaded and approved through the services, with planted true hits:

* ``--exact`` entries carrying a person's ID number (the name left empty);
* ``--fuzzy`` entries with no ID number, a person's birth date and a near spelling of the name:
  half a homophone (张伟 → 张玮, another character with the same usual reading), half the name in
  traditional characters (OpenCC s2t) — when the name has none, a homophone; a pick whose last
  character has no homophone among the county's names is left out (so fewer than ``--fuzzy``);
* the rest filler: valid ID numbers from a region outside the county, population names and random
  birth dates (a hit on a filler row is a real namesake born that day, reported separately).

``watchlist_run`` (the service: reading the people, blocking, scoring, writing leads and the
audit row) is timed, beside a same-run baseline that only reads the people and matches exact ID
numbers. Recall: planted entries whose person got a lead; precision: planted-entry leads that
point at the planted person. Target: the run under 60 s.

On PostgreSQL (unless ``--no-pg``) the padded county is copied (COPY, ``search_bench.copy_to_pg``) into
a fresh database ``--pg-db`` and the same list is compared there.

    python bench/watchlist_bench.py [--data-dir /work/benchdata] [--persons 1000000] [--entries 10000]
                                    [--no-pg] [--pg-db ybss_h_watch_bench]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from collection_sync_bench import copy_county  # noqa: E402


def pad_persons(db: Path, target: int) -> int:
    """Copy the county's people until there are ``target`` (or a little more); returns the count."""
    con = sqlite3.connect(db)
    base = con.execute("SELECT count(*) FROM registry_person").fetchone()[0]
    cols = [r[1] for r in con.execute("PRAGMA table_info(registry_person)") if r[1] != "id"]
    k = 0
    while con.execute("SELECT count(*) FROM registry_person").fetchone()[0] < target and k < 9:
        k += 1
        select = []
        for c in cols:
            if c == "id_number":
                select.append(f"'61059{k}' || substr(id_number, 7)")
            elif c == "birth_date":
                select.append(
                    f"CASE WHEN birth_date IS NULL THEN NULL ELSE date(birth_date, '+{k * 37} days') END"
                )
            else:
                select.append(c)
        con.execute(
            f"INSERT OR IGNORE INTO registry_person ({', '.join(cols)}) "
            f"SELECT {', '.join(select)} FROM registry_person WHERE id_number NOT LIKE '61059%' LIMIT {base}"
        )
        con.commit()
    n = con.execute("SELECT count(*) FROM registry_person").fetchone()[0]
    con.close()
    return n


def padded_county(data_dir: str, persons: int, prefix: str) -> tuple[Path, dict[str, str]]:
    """A copy of the bench county in a temp folder, migrated and padded to ``persons`` people;
    returns the folder and the environment that points ybss at it (SQLite)."""
    src = Path(data_dir)
    if not (src / "ybss.sqlite3").exists():
        raise SystemExit(
            f"no county in {src}: YBSS_DATA_DIR={src} ybss migrate && ybss demo --scale 1 --seed 7"
        )
    work = Path(tempfile.mkdtemp(prefix=prefix))
    print(f"copying the county to {work} …", flush=True)
    copy_county(src, work)
    env = {**os.environ, "YBSS_DATA_DIR": str(work), "DJANGO_SETTINGS_MODULE": "ybss.settings.dev"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "ybss", "migrate", "-v", "0"], check=True, env=env)
    t = time.perf_counter()
    total = pad_persons(work / "ybss.sqlite3", persons)
    print(f"padded to {total:,} persons in {time.perf_counter() - t:.1f} s", flush=True)
    return work, env


def plant(args: argparse.Namespace) -> tuple[list[tuple[str, str, str, str]], dict[int, int]]:
    """The list rows and, per planted row number, the person it should find."""
    import opencc

    from ybss.core.identifiers import id_check_char
    from ybss.quality import dedup_score as ds
    from ybss.quality.dedup_score import id_valid
    from ybss.registry.models import Person

    rng = random.Random(args.seed)
    people = list(
        Person.objects.filter(id_type="111", birth_date__isnull=False)
        .exclude(id_number__startswith="61059")
        .exclude(status="voided")
        .values_list("id", "id_number", "name", "birth_date")
    )
    people = [p for p in people if id_valid(p[1]) and len(p[2]) >= 2]
    by_reading: dict[str, list[str]] = {}
    for _pk, _num, name, _b in people:
        ch = name[-1]
        r = ds._readings(ch)
        if r and ch not in by_reading.setdefault(r[0], []):
            by_reading[r[0]].append(ch)
    s2t = opencc.OpenCC("s2t")
    picks = rng.sample(people, args.exact + args.fuzzy)
    rows: list[tuple[str, str, str, str]] = []
    truth: dict[int, int] = {}
    for pk, number, _name, _birth in picks[: args.exact]:
        truth[len(rows) + 2] = pk
        rows.append((number, "", "", ""))
    for i, (pk, _number, name, birth) in enumerate(picks[args.exact :]):
        variant = s2t.convert(name) if i % 2 else name
        if variant == name:
            r = ds._readings(name[-1])
            others = [c for c in by_reading.get(r[0] if r else "", []) if c != name[-1]]
            if not others:
                continue
            variant = name[:-1] + rng.choice(others)
        truth[len(rows) + 2] = pk
        rows.append(("", variant, birth.isoformat(), ""))
    names = [p[2] for p in rng.sample(people, 5000)]
    seq = 0
    while len(rows) < args.entries:
        seq += 1
        day = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20_000))
        first17 = f"110101{day:%Y%m%d}{seq % 1000:03d}"
        rows.append((first17 + id_check_char(first17), rng.choice(names), day.isoformat(), ""))
    return rows, truth


def baseline_exact(list_pk: int) -> tuple[float, int]:
    """Reading the people and matching exact ID numbers only (the same loader as the service)."""
    from ybss.casework.models import WatchEntry
    from ybss.casework.services import _candidates
    from ybss.quality import dedup_score as ds
    from ybss.registry.models import Person

    t = time.perf_counter()
    ids = set(
        WatchEntry.objects.filter(watch_list_id=list_pk)
        .exclude(id_number="")
        .values_list("id_number", flat=True)
    )
    hits = 0
    for c in _candidates(Person.objects.exclude(status="voided").order_by()):
        if c.id_number and ds.norm_id(c.id_type, c.id_number) in ids:
            hits += 1
    return time.perf_counter() - t, hits


def measure(args: argparse.Namespace) -> None:
    """Upload, approve and compare the list on the database of this process's environment."""
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from ybss.casework import services
    from ybss.casework.models import Lead, WatchEntry
    from ybss.org.models import User

    rows, truth = plant(args)
    content = ("身份证号,姓名,出生日期,地区\n" + "\n".join(",".join(r) for r in rows) + "\n").encode()
    investigator = User.objects.get(username="investigator")
    supervisor = User.objects.get(username="supervisor")
    t = time.perf_counter()
    wl = services.watchlist_upload(
        actor=investigator, name="bench", kind="wanted", purpose="bench", expires_on=timezone.localdate()
        + dt.timedelta(days=30), file_name="bench.csv", content=content,
    )  # fmt: skip
    upload_s = time.perf_counter() - t
    services.watchlist_approve(actor=supervisor, pk=wl.pk)

    base_s, base_hits = baseline_exact(wl.pk)
    t = time.perf_counter()
    run = services.watchlist_run(actor=investigator, pk=wl.pk)
    run_s = time.perf_counter() - t

    row_of = dict(WatchEntry.objects.filter(watch_list=wl).values_list("id", "row"))
    leads = list(Lead.objects.filter(run=run).values_list("watch_entry_id", "person_id"))
    planted_leads = [(row_of[e], p) for e, p in leads if row_of[e] in truth]
    filler = len(leads) - len(planted_leads)
    tp = sum(1 for r, p in planted_leads if truth[r] == p)
    found_rows = {r for r, p in planted_leads if truth[r] == p}
    exact_rows = set(sorted(truth)[: args.exact])
    fuzzy_rows = set(truth) - exact_rows
    precision = tp / len(planted_leads) if planted_leads else 0.0
    print()
    print(f"== {connection.vendor}")
    print(
        f"list: {len(rows):,} rows ({args.exact} exact-ID and {len(fuzzy_rows)} near-spelling planted hits)"
    )
    print(f"persons compared: {run.compared:,}; upload + validation {upload_s:.1f} s")
    print(f"{'method':34} {'time s':>7} {'hits':>6}")
    print(f"{'baseline: exact ID only':34} {base_s:7.1f} {base_hits:6d}")
    print(f"{'watchlist_run (exact + fuzzy)':34} {run_s:7.1f} {run.hits:6d}   (target < 60 s)")
    print(f"ratio to the baseline: {run_s / base_s:.1f}x")
    print(f"recall exact-ID:   {len(found_rows & exact_rows)}/{len(exact_rows)}")
    print(f"recall near-name:  {len(found_rows & fuzzy_rows)}/{len(fuzzy_rows)}")
    print(f"precision on planted rows: {tp}/{len(planted_leads)} = {precision:.3f}")
    print(f"leads on filler rows (namesakes born the same day): {filler}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default="/work/benchdata")
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--exact", type=int, default=300)
    ap.add_argument("--fuzzy", type=int, default=300)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--pg-db", default="ybss_h_watch_bench")
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        measure(args)
        return
    work, env = padded_county(args.data_dir, args.persons, "ybss-watchbench-")
    runs = [env]
    if not args.no_pg:
        from search_bench import copy_to_pg

        t = time.perf_counter()
        copy_to_pg(work / "ybss.sqlite3", args.pg_url, args.pg_db)
        print(f"copied to PostgreSQL {args.pg_db} in {time.perf_counter() - t:.1f} s", flush=True)
        runs.append({**env, "DATABASE_URL": f"{args.pg_url.rsplit('/', 1)[0]}/{args.pg_db}"})
    flags = ["--entries", str(args.entries), "--exact", str(args.exact), "--fuzzy", str(args.fuzzy)]
    for run_env in runs:
        # each database in a process of its own (Django binds the database at setup)
        subprocess.run(
            [sys.executable, __file__, "--measure", "--seed", str(args.seed), *flags], env=run_env, check=True
        )


if __name__ == "__main__":
    main()
