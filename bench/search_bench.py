"""One-box search (issue 8): latency over a mix of query kinds on >= 1,000,000 persons, on SQLite
and PostgreSQL, with recall on planted persons.

A copy of the scale-1 demo county (SQLite backup API, in a temp folder; the bench county itself is
never written) is padded to ``--persons`` people (``watchlist_bench.pad_persons``: copies of the
county's people with another region in the ID number and a moved birth date, so names keep their
real frequencies). For PostgreSQL the same rows are copied (COPY) into a fresh database
``--pg-db`` (dropped and re-created). On each database the index is built with
``search_index_rebuild`` (timed), then ``--planted`` persons are drawn (the same on both) and each
is searched for by every query kind through the ``search`` selector — scoping, scoring, masking and
its audit row included — as the county investigator:

    id_full      the whole ID number              id_partial  its last 6 characters
    id_masked    610524********123X               name        the name as written
    homophone    the last character swapped for another with the same reading (张伟 → 张玮)
    traditional  the name in traditional characters (OpenCC s2t; persons whose name has none skip)
    pinyin       zhangwei                         initials_year  “zw 1985”
    phone        the whole mobile number          phone_last4  its last 4 digits
    unit_name    4 characters from a real unit's name (its recall: that unit in the unit group)
    credit_code  a real unit's credit code, whole or (every other one) its last 6 characters
    address      a real live standard address's name below the township (工业路3号润泽家园2号楼…),
                 every other one only its first 3 to 6 characters plus the door number

Printed per kind and overall: p50 / p95 in ms (target p95 < 100 ms) and recall@20 (the planted
person among the first 20 hits; broad kinds — a common name, 4 digits — are ambiguous by nature:
``ambig`` counts searches with more than 20 hits). Baseline in the same run: one indexed
``Person.objects.filter(id_type=…, id_number=…)`` lookup.

    python bench/search_bench.py [--data-dir /work/benchdata] [--persons 1000000] [--planted 200]
                                 [--no-pg] [--pg-db ybss_h_search_bench]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

KINDS = (
    "id_full",
    "id_partial",
    "id_masked",
    "name",
    "homophone",
    "traditional",
    "pinyin",
    "initials_year",
    "phone",
    "phone_last4",
    "unit_name",
    "credit_code",
    "address",
)
COPY_TABLES = (
    "org_admindivision",
    "org_policeunit",
    "org_user",
    "addresses_addresselement",
    "addresses_standardaddress",
    "registry_person",
    "registry_residence",
    "registry_unit",
)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


# --------------------------------------------------------------------------------------------
# PostgreSQL copy


def copy_to_pg(sqlite_path: Path, url: str, db: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{db}"')
        con.execute(f'CREATE DATABASE "{db}"')
    env = {**os.environ, "DATABASE_URL": f"{url.rsplit('/', 1)[0]}/{db}"}
    subprocess.run([sys.executable, "-m", "ybss", "migrate", "-v", "0"], check=True, env=env)
    src = sqlite3.connect(sqlite_path)
    with psycopg.connect(env["DATABASE_URL"]) as con:
        con.execute("SET session_replication_role = replica")  # no FK triggers while copying
        for table in COPY_TABLES:
            con.execute(f"DELETE FROM {table}")
            cols = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
            pg_types = dict(
                con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
                    [table],
                ).fetchall()
            )
            cols = [c for c in cols if c in pg_types]
            bools = [i for i, c in enumerate(cols) if pg_types[c] == "boolean"]
            with con.cursor().copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
                for row in src.execute(f"SELECT {', '.join(cols)} FROM {table}"):
                    if bools:
                        row = list(row)
                        for i in bools:
                            row[i] = None if row[i] is None else bool(row[i])
                    cp.write_row(row)
            con.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                if "id" in cols
                else "SELECT 1"
            )
        con.commit()
        con.execute("ANALYZE")
    src.close()


# --------------------------------------------------------------------------------------------
# Measuring (in a child process, on the database its environment names)


def _homophones() -> dict[str, list[str]]:
    """Usual reading → common name characters with it (from the people's names)."""
    from ybss.quality import dedup_score as ds
    from ybss.registry.models import Person

    out: dict[str, set[str]] = {}
    for name in Person.objects.values_list("name", flat=True)[:50_000]:
        for ch in ds.simplified(name)[1:]:
            r = ds._readings(ch)
            if r:
                out.setdefault(r[0], set()).add(ch)
    return {k: sorted(v) for k, v in out.items()}


def queries_for(p: tuple, rng: random.Random, homo: dict[str, list[str]]) -> dict[str, str]:
    import opencc

    from ybss.quality import dedup_score as ds
    from ybss.search.query import PersonView, birth_year, initials

    _, idn, name, phone, birth = p
    q = {
        "id_full": idn,
        "id_partial": idn[-6:],
        "id_masked": idn[:6] + "*" * 8 + idn[-4:],
        "name": name,
        "pinyin": ds.primary_key(name),
        "initials_year": f"{initials(name)} {birth_year(PersonView(idn, name, birth_date=birth))}",
    }
    last = ds.simplified(name)[-1:]
    r = ds._readings(last)
    others = [c for c in homo.get(r[0], []) if c != last] if r else []
    if others:
        q["homophone"] = name[:-1] + rng.choice(others)
    trad = opencc.OpenCC("s2t").convert(name)
    if trad != name:
        q["traditional"] = trad
    if phone and len(phone) == 11 and phone.startswith("1"):
        q["phone"] = phone
        q["phone_last4"] = phone[-4:]
    return q


def place_queries(
    rng: random.Random, units: list[tuple], addresses: list[tuple], towns: list[str], chain: list[str], i: int
) -> dict[str, tuple[str, str, int]]:
    """Unit and address queries from real rows: kind → (text, group, wanted pk)."""
    from ybss.search.places import stored_tail

    out: dict[str, tuple[str, str, int]] = {}
    if units:
        pk, name, code = rng.choice(units)
        start = rng.randint(0, max(0, len(name) - 4))
        out["unit_name"] = (name[start : start + 4], "unit", pk)
        if code:
            out["credit_code"] = (code if i % 2 == 0 else code[-6:], "unit", pk)
    if addresses:
        pk, full = rng.choice(addresses)
        tail = stored_tail(full, chain)
        for town in towns:
            if tail.startswith(town):
                tail = tail[len(town) :]
                break
        if i % 2 and "号" in tail:
            door = tail[: tail.index("号") + 1]
            tail = door if len(door) <= 8 else door[-8:]
        out["address"] = (tail, "address", pk)
    return out


def measure(planted: int, seed: int) -> dict:
    import django

    django.setup()
    from django.db import connection

    from ybss.addresses.models import StandardAddress
    from ybss.org.models import AdminDivision, User
    from ybss.registry.models import Person, Unit
    from ybss.search.selectors import county_chain, search
    from ybss.search.services import search_index_rebuild

    n = Person.objects.count()
    t = time.perf_counter()
    keys = search_index_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE search_personkey")
            cur.execute("ANALYZE search_addresskey")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    build_s = time.perf_counter() - t
    actor = User.objects.get(username="investigator")
    rng = random.Random(seed)
    max_id = Person.objects.order_by("-id").values_list("id", flat=True).first() or 0
    want = sorted({rng.randint(1, max_id) for _ in range(planted * 2)})
    people = list(
        Person.objects.filter(pk__in=want)
        .exclude(name="")
        .values_list("pk", "id_number", "name", "phone", "birth_date")
    )[:planted]
    homo = _homophones()
    units = list(Unit.objects.exclude(status="voided").values_list("pk", "name", "credit_code"))
    max_a = StandardAddress.objects.order_by("-id").values_list("id", flat=True).first() or 0
    addresses = list(
        StandardAddress.objects.filter(pk__in={rng.randint(1, max_a) for _ in range(planted * 4)})
        .exclude(status="voided")
        .filter(merged_into__isnull=True)
        .values_list("pk", "full_name")
    )
    towns = sorted(
        AdminDivision.objects.filter(level=4).values_list("name", flat=True), key=len, reverse=True
    )
    chain = county_chain()
    n_addresses = StandardAddress.objects.count()
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    found: dict[str, int] = dict.fromkeys(KINDS, 0)
    ambiguous: dict[str, int] = dict.fromkeys(KINDS, 0)
    base: list[float] = []
    search(actor=actor, text="warm up", purpose="check")  # first query loads the caches
    for i, p in enumerate(people):
        for kind, (text, group, pk) in place_queries(rng, units, addresses, towns, chain, i).items():
            t = time.perf_counter()
            res = search(actor=actor, text=text, purpose="check", purpose_note="bench")
            times[kind].append((time.perf_counter() - t) * 1000)
            hits = [h.pk for g in res.groups if g.kind == group for h in g.hits]
            found[kind] += pk in hits
            ambiguous[kind] += len(hits) >= 20
        t = time.perf_counter()
        list(Person.objects.filter(id_type="111", id_number=p[1]).values_list("pk", flat=True))
        base.append((time.perf_counter() - t) * 1000)
        for kind, text in queries_for(p, rng, homo).items():
            t = time.perf_counter()
            res = search(actor=actor, text=text, purpose="check", purpose_note="bench")
            times[kind].append((time.perf_counter() - t) * 1000)
            hits = [h.pk for g in res.groups if g.kind == "person" for h in g.hits]
            found[kind] += p[0] in hits
            ambiguous[kind] += len(hits) >= 20
    return {
        "vendor": connection.vendor,
        "persons": n,
        "addresses": n_addresses,
        "units": len(units),
        "keys": keys,
        "build_s": build_s,
        "planted": len(people),
        "times": times,
        "found": found,
        "ambiguous": ambiguous,
        "base": base,
    }


def report(r: dict) -> None:
    print()
    print(
        f"== {r['vendor']}: {r['persons']:,} persons, {r['addresses']:,} addresses, {r['units']:,} units; "
        f"index {r['keys']:,} keys built in {r['build_s']:.1f} s; {r['planted']} planted persons"
    )
    print(f"{'kind':15} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'recall@20':>10} {'ambig':>6}")
    every: list[float] = []
    for kind in KINDS:
        ts = r["times"][kind]
        every += ts
        if not ts:
            continue
        rec, amb = r["found"][kind] / len(ts), r["ambiguous"][kind]
        print(f"{kind:15} {len(ts):5d} {pct(ts, 50):8.1f} {pct(ts, 95):8.1f} {rec:10.3f} {amb:6d}")
    print(
        f"{'overall':15} {len(every):5d} {pct(every, 50):8.1f} {pct(every, 95):8.1f}   (target p95 < 100 ms)"
    )
    b = r["base"]
    p50, p95 = pct(b, 50), pct(b, 95)
    print(f"{'baseline id=':15} {len(b):5d} {p50:8.1f} {p95:8.1f}   (Person by id_type + id_number)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default="/work/benchdata")
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--planted", type=int, default=200)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--pg-db", default="ybss_h_search_bench")
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print("RESULT " + json.dumps(measure(args.planted, args.seed), default=str), flush=True)
        return

    from watchlist_bench import padded_county

    work, env = padded_county(args.data_dir, args.persons, "ybss-searchbench-")
    runs = [("sqlite", env)]
    if not args.no_pg:
        t = time.perf_counter()
        copy_to_pg(work / "ybss.sqlite3", args.pg_url, args.pg_db)
        print(f"copied to PostgreSQL {args.pg_db} in {time.perf_counter() - t:.1f} s", flush=True)
        runs.append(("postgresql", {**env, "DATABASE_URL": f"{args.pg_url.rsplit('/', 1)[0]}/{args.pg_db}"}))
    for _, run_env in runs:
        out = subprocess.run(
            [sys.executable, __file__, "--measure", "--planted", str(args.planted), "--seed", str(args.seed)],
            env=run_env,
            check=True,
            capture_output=True,
            text=True,
        )
        line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
        report(json.loads(line[len("RESULT ") :]))


if __name__ == "__main__":
    main()
