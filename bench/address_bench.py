"""Benchmark the address engine: parse throughput beside cpca, and match + deduplicate the county.

    python bench/address_bench.py [--data-dir DIR] [--scale 1] [--seed 7] [--limit N] [--ccks FILE]

1. **Parse** (one core, CPU time of this process): every standard address of the demo county, each
   written in one of the shapes officers use (without 陕西省/渭南市, 城关镇, Chinese numerals,
   traditional characters and full-width digits, spaces and punctuation, 12-3-1001 …; the shape is
   drawn per address from a fixed seed), and the texts of the public address-parsing dev split
   (``../shared/data/address-parsing/dev.txt`` when present), parsed by ``ybss.addresses.parsing.parse``
   (every police level, spans, canonical values and text) and, in the same run, by ``cpca.transform``
   (province, city and district only). Target: ybss at least as fast as cpca. The share of Heyang
   texts whose door number / group / building / unit / room come out as the address's own is
   printed as a check that every level is read.
2. **Match and deduplicate** all addresses of the county: build the matcher's index, match every
   address's full name (it must find itself), then ``find_duplicates`` over the whole county.
   Target: under 60 s together. The messy texts of step 1 are matched too (time and share matched
   to their own address).

The county is read from ``--data-dir`` (SQLite; ``DATABASE_URL`` for PostgreSQL); when that holds
no database the demo county is built there first (``ybss demo --scale S --seed N``), in a
temporary folder without the option. Nothing is written to an existing database.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CCKS_DEV = ROOT.parent / "shared" / "data" / "address-parsing" / "dev.txt"
TARGET_SECONDS = 60.0

_CN = "〇一二三四五六七八九"
_FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def cn(n: int) -> str:
    if n < 10:
        return _CN[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")
    return "".join(_CN[int(c)] for c in str(n))


def read_ccks(path: Path) -> list[str]:
    """The texts of a BIO file (one token and its tag a line, a blank line between texts)."""
    texts, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                texts.append("".join(current))
                current = []
            continue
        current.append(line.rsplit(" ", 1)[0])
    if current:
        texts.append("".join(current))
    return texts


def messy(a: dict[str, Any], rng: random.Random, s2t: Any) -> str:
    """One way an officer might write address ``a`` (its parts as read from the database)."""
    town, village = a["town"], a["village"]
    door = int(a["door"]) if a["door"].isdigit() else 0
    trad = s2t.convert
    if a["group"]:
        g = a["group"][:-1]
        cn_group = f"{cn(int(g))}组" if g.isdigit() else a["group"]
        other_suffix = village[:-2] + "村" if village.endswith("社区") else village
        shapes = [
            f"合阳县{town}{village}{a['group']}{door}号",
            f"渭南合阳{town}{village}{cn_group}{cn(door)}号",
            trad(f"陕西省渭南市合阳县{town}{village}") + f"{g}組{door}號".translate(_FULL),
            f"合阳县 {town}，{village} {a['group']} {door}",
            f"{town}{other_suffix}第{cn_group}{door}号",
        ]
    elif a["room"]:
        b = a["building"].removesuffix("号楼")
        u, r = a["unit"], a["room"].lstrip("0")
        road, compound = a["road"], a["compound"]
        cn_b = cn(int(b)) if b.isdigit() else b
        shapes = [
            f"合阳县城关镇{road}{door}号{compound}{b}栋{u}单元{r}室",
            f"{compound}{b}-{u}-{r}",
            f"城关街道{compound}{b}栋{u}-{r}室",
            f"合阳{road}{cn(door)}号{compound}{cn_b}号楼{cn(int(u))}单元{cn(int(r))}室",
            trad(f"渭南市合阳县 城关街道，{road}") + f"{door}號 ".translate(_FULL) + trad(compound)
            + f"{b}幢{u}單元{r}".translate(_FULL),
        ]  # fmt: skip
    else:
        label = a["building"]
        shapes = [
            f"{town}{a['road']}{door}号{a['compound']}{label}",
            f"合阳{town}{a['road']}{cn(door)}号{a['compound']}{label}",
            f"陕西省渭南市合阳县{town}{village}{a['road']}{door}号{a['compound']}{label}",
            trad(f"合阳县{town}{a['road']}") + f"{door}號".translate(_FULL) + a["compound"] + label,
        ]
    return rng.choice(shapes)


def _ybss(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ybss", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )


def _setup(args: argparse.Namespace) -> None:
    env = dict(os.environ)
    if not os.environ.get("DATABASE_URL"):
        data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="ybss-address-bench-"))
        env["YBSS_DATA_DIR"] = os.environ["YBSS_DATA_DIR"] = str(data_dir)
    if _ybss(env, "demo", "--status").returncode != 0:
        print(f"building the demo county (scale {args.scale}) …", file=sys.stderr)
        built = _ybss(env, "demo", "--scale", str(args.scale), "--seed", str(args.seed))
        if built.returncode != 0:
            sys.exit(built.stderr)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ybss.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _addresses() -> list[dict[str, Any]]:
    from ybss.addresses.models import AddressElement, StandardAddress
    from ybss.org.models import AdminDivision

    names = dict(AdminDivision.objects.values_list("code", "name"))
    elements = {
        pk: (kind, name) for pk, kind, name in AddressElement.objects.values_list("id", "kind", "name")
    }
    out = []
    rows = StandardAddress.objects.order_by("id").values_list(
        "id",
        "full_name",
        "division_id",
        "road_id",
        "compound_id",
        "door_number",
        "building",
        "unit_no",
        "room_no",
    )
    for pk, full, div, road, compound, door, building, unit, room in rows.iterator(chunk_size=20_000):
        kind, road_name = elements.get(road, ("", ""))
        out.append(
            {
                "id": pk,
                "full_name": full,
                "town": names[div[:9] + "000"],
                "village": names[div],
                "group": road_name if kind == "34" else "",
                "road": road_name if kind != "34" else "",
                "compound": elements.get(compound, ("", ""))[1],
                "door": door,
                "building": building,
                "unit": unit,
                "room": room,
            }
        )
    return out


def _levels_right(parsed: Any, a: dict[str, Any]) -> bool:
    v = parsed.values
    if a["group"]:
        return v.get("group", "") + "组" == a["group"] and v.get("door_number") == a["door"]
    if a["room"]:
        return (v.get("building", "") + "号楼", v.get("unit"), v.get("room")) == (
            a["building"],
            a["unit"],
            a["room"].lstrip("0"),
        )
    return v.get("door_number") == a["door"] and (
        not a["building"] or v.get("building", "") + "号楼" == a["building"]
    )


def _drain(results: Any) -> None:
    for _r in results:
        pass


def _cpu(f: Any) -> tuple[Any, float]:
    started = time.process_time()
    result = f()
    return result, time.process_time() - started


def suggest_bench(seed: int, n: int = 200) -> None:
    """``--suggest``: as-you-type latency (``addresses.suggest.suggest``, limit 5, with its scope
    re-check queries) over ``n`` prefixes of 2–6 characters cut from names in the scope (at a
    township, community, street or compound; one in ten as the place's pinyin initials plus the
    next character), for the whole county and for the officer and a collector of the busiest
    police district. Index and view build times are printed apart; then p50 / p95 / max."""
    from django.db.models import Count
    from pypinyin import lazy_pinyin

    from ybss.addresses import matching, suggest
    from ybss.addresses.models import StandardAddress
    from ybss.org.models import Role, User

    print(f"\n## as-you-type suggestions ({n} prefixes, limit 5; wall-clock ms per call)")
    t0 = time.perf_counter()
    matching.current_index()
    t1 = time.perf_counter()
    index = suggest.current_index()
    t2 = time.perf_counter()
    print(f"matcher index {t1 - t0:.1f} s, completion index {t2 - t1:.1f} s ({len(index.places)} places)")
    busiest = (
        StandardAddress.objects.values("police_unit").annotate(n=Count("id")).order_by("-n").first() or {}
    )
    actors: list[tuple[str, Any]] = [("whole county", None)]
    for role in (Role.OFFICER, Role.COLLECTOR):
        user = User.objects.filter(role=role, police_unit=busiest.get("police_unit"), is_active=True)
        if user.exists():
            actors.append((f"{role} {user.order_by('username')[0].username}", user.order_by("username")[0]))
    print(f"{'scope':<32}{'rows':>8}{'view s':>8}{'p50':>8}{'p95':>8}{'max':>8}{'answered':>10}")
    for label, actor in actors:
        t0 = time.perf_counter()
        view = suggest.view_for(actor)
        view_s = time.perf_counter() - t0
        rng = random.Random(seed)
        prefixes: list[str] = []
        while view.rows and len(prefixes) < n:
            j = rng.choice(view.rows)
            key = index.keys[j]
            town, village, road, _group, compound = index.plans[j]
            places = [p for p in (town, village, road, compound) if p is not None and p[1] in key]
            if not places:
                continue
            name = rng.choice(places)[1]
            text = key[key.find(name) :][: rng.randint(2, 6)]
            if len(prefixes) % 10 == 9:
                text = "".join(s[0] for s in lazy_pinyin(name)) + key[key.find(name) + len(name) :][:1]
            prefixes.append(text)
        suggest.suggest(prefixes[0], actor=actor)  # warm: the parser's memo, the pinyin table
        times, answered = [], 0
        for text in prefixes:
            t0 = time.perf_counter()
            found = suggest.suggest(text, actor=actor, limit=5)
            times.append((time.perf_counter() - t0) * 1000)
            answered += bool(found.candidates or found.places)
        times.sort()
        p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95) - 1]
        row = f"{label:<32}{len(view.rows):>8}{view_s:>8.2f}{p50:>8.1f}{p95:>8.1f}{times[-1]:>8.1f}"
        print(f"{row}{answered:>7}/{len(prefixes)}")
        print("  e.g.", ", ".join(prefixes[:10]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default="", help="folder of the SQLite database (built there if empty)")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--limit", type=int, default=0, help="parse only the first N addresses (0 = all)")
    ap.add_argument("--ccks", default=str(CCKS_DEV), help="BIO file of extra texts (skipped when absent)")
    ap.add_argument("--parse-only", action="store_true", help="only step 1")
    ap.add_argument("--suggest", action="store_true", help="only the as-you-type suggestion latency")
    args = ap.parse_args()
    _setup(args)
    if args.suggest:
        suggest_bench(args.seed)
        return

    import cpca
    import opencc

    from ybss.addresses import matching
    from ybss.addresses.parsing import gazetteer, parse, parse_many

    print(f"# address engine benchmark, {time.strftime('%Y-%m-%d %H:%M')}, python {sys.version.split()[0]}")
    addresses = _addresses()
    if args.limit:
        addresses = addresses[: args.limit]
    rng = random.Random(args.seed)
    s2t = opencc.OpenCC("s2t")
    heyang = [messy(a, rng, s2t) for a in addresses]
    ccks = read_ccks(Path(args.ccks)) if Path(args.ccks).is_file() else []
    print(f"texts: {len(heyang)} Heyang addresses in messy shapes, {len(ccks)} CCKS dev texts")
    gz, gz_seconds = _cpu(gazetteer.current)
    print(f"gazetteer: {gz.size} names, built in {gz_seconds:.2f} s")
    cpca.transform(["陕西省渭南市合阳县"])  # cpca loads its tables on first use

    print("\n## 1. parse throughput (CPU seconds of one process)")
    print("ybss: parse(text) for each text as a stream (results dropped); cpca: one transform(texts)")
    print(f"{'texts':<24}{'n':>8}{'ybss s':>9}{'ybss /s':>10}{'cpca s':>9}{'cpca /s':>10}{'ratio':>7}")
    totals = [0, 0.0, 0.0]

    def stream(texts: list[str]) -> None:
        for t in texts:
            parse(t, use_model=False)

    for label, texts in (("Heyang, messy", heyang), ("CCKS dev", ccks), ("Heyang, again (warm)", heyang)):
        if not texts:
            continue
        _none, ours = _cpu(lambda texts=texts: stream(texts))
        _df, theirs = _cpu(lambda texts=texts: cpca.transform(texts))
        if not label.endswith("(warm)"):
            totals[0] += len(texts)
            totals[1] += ours
            totals[2] += theirs
        print(
            f"{label:<24}{len(texts):>8}{ours:>9.2f}{len(texts) / ours:>10.0f}{theirs:>9.2f}"
            f"{len(texts) / theirs:>10.0f}{theirs / ours:>7.2f}"
        )
    n, ours, theirs = totals
    print(
        f"{'all, first pass':<24}{n:>8}{ours:>9.2f}{n / ours:>10.0f}{theirs:>9.2f}{n / theirs:>10.0f}"
        f"{theirs / ours:>7.2f}"
    )
    # the batch API (parse_many), as an import or a batch clean reads a column, from cold caches
    gz.shapes.clear()
    gz.seen.clear()
    gz.memo.clear()
    everything = heyang + ccks
    _none, ours_b = _cpu(lambda: _drain(parse_many(everything, use_model=False)))
    _df, theirs_b = _cpu(lambda: cpca.transform(everything))
    nb = len(everything)
    print(
        f"{'all, batch, cold':<24}{nb:>8}{ours_b:>9.2f}{nb / ours_b:>10.0f}{theirs_b:>9.2f}"
        f"{nb / theirs_b:>10.0f}{theirs_b / ours_b:>7.2f}"
    )
    kept, seconds = _cpu(lambda: [parse(t, use_model=False) for t in heyang])
    print(f"Heyang, all results kept in memory: {seconds:.2f} s ({len(heyang) / seconds:.0f}/s)")
    right = sum(_levels_right(p, a) for p, a in zip(kept, addresses, strict=True))
    del kept
    print(
        f"levels read right (door/group/building/unit/room) on the Heyang texts: {right / len(addresses):.2%}"
    )
    met = "MET" if ours_b <= theirs_b else "NOT MET"
    print(f"target: ybss at least as fast as cpca (all, batch from cold caches): {met}")
    if args.parse_only:
        return
    print("\n## 2. match and deduplicate the county (wall-clock seconds)")
    started = time.perf_counter()
    index = matching.MatchIndex.load()
    t_index = time.perf_counter() - started
    t0 = time.perf_counter()
    found = 0
    for r in list(index.rows.values()):
        result = index.match(r.full_name)
        found += any(c.address_id == r.id for c in result.candidates)
    t_match = time.perf_counter() - t0
    t0 = time.perf_counter()
    groups = matching.duplicate_groups(index, not_duplicates=matching._not_duplicate_pairs())
    t_dedup = time.perf_counter() - t0
    total = time.perf_counter() - started
    rows = len(index.rows)
    print(f"index of {rows} addresses: {t_index:.1f} s")
    print(f"match every full name:   {t_match:.1f} s ({rows / t_match:.0f}/s), found itself: {found}/{rows}")
    print(f"find duplicates:         {t_dedup:.1f} s, {len(groups)} groups")
    met = "MET" if total < TARGET_SECONDS else "NOT MET"
    print(f"total:                   {total:.1f} s (target < {TARGET_SECONDS:.0f} s: {met})")
    t0 = time.perf_counter()
    ok = 0
    states: dict[str, int] = {}
    for text, a in zip(heyang, addresses, strict=True):
        result = index.match(text)
        states[result.state] = states.get(result.state, 0) + 1
        ok += result.best is not None and result.best.address_id == a["id"]
    t_messy = time.perf_counter() - t0
    print(
        f"match the messy texts:   {t_messy:.1f} s ({len(heyang) / t_messy:.0f}/s), "
        f"matched to their own address: {ok}/{len(heyang)} ({ok / len(heyang):.2%}); states {states}"
    )


if __name__ == "__main__":
    main()
