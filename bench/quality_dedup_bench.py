"""Person duplicates: our blocking + scoring (``ybss.quality.dedup``) beside Splink, on the same
records in the same run, on a copy of the scale-1 demo county with known duplicates injected.

The copy (SQLite backup API, in a temp folder; the bench county itself is never written) gets
``--n`` duplicates of each kind — an ID number one keystroke away (a digit changed, two
neighbours swapped, or the 15-digit form; sometimes with the check character recomputed) with the
same name and the birth date read off the number; a homophone name
(张伟/张玮); the name in traditional characters; the name spelled in pinyin — each name variant
with the same birth date and something else in common (domicile, house, phone or door plate), and
an ID number that is either one keystroke away or made up. What else the duplicate shares with
its original is drawn at random, so some duplicates share little. Beside them ``2 * --n`` hard
negatives of each kind: different people with the same name born in the same year (half in the
same village), and twins (same birth date, house and domicile, another given name, a neighbouring
ID number). Then both methods look for pairs over the whole county (218,711 + injected people):
every pair a method reports that is not an injected duplicate counts as a false positive.

    python bench/quality_dedup_bench.py [--data-dir /work/benchdata] [--n 50] [--seed 5] [--no-splink]

Splink 5 runs on DuckDB with the same derived columns (simplified name, spoken-name key, ID number
in 18 digits, domicile, phone, house, door plate); its m/u values are trained on this data (u by
random sampling, m by EM on two blockings). Both times include reading the people from the
database. Target (issue 6): precision and recall ≥ 0.97 for ours; the whole duplicate check on
the scale-1 county well under 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from collection_sync_bench import copy_county  # noqa: E402

KINDS = ("id_typo", "homophone", "traditional", "pinyin")
NEGATIVES = ("namesake", "twin")
SHARED = ("hukou", "house", "phone", "door")


# --------------------------------------------------------------------------------------------
# Injection


def _id(region: str, birth: str, seq: int) -> str:
    from ybss.core.identifiers import id_check_char

    body = f"{region}{birth}{seq:03d}"
    return body + id_check_char(body)


def _near_id(rng: random.Random, number: str, birth_date: dt.date) -> tuple[str, str]:
    """One keystroke away: a digit changed or two neighbours swapped (the check character left as
    it was, or — one time in five — recomputed by a form that "corrects" it), or the 15-digit form
    (born in the 1900s)."""
    from ybss.core.identifiers import id_check_char

    forms = ["digit", "digit", "swap", "swap"] + (["id15"] if 1900 <= birth_date.year <= 1999 else [])
    form = rng.choice(forms)
    if form == "id15":
        return number[:6] + number[8:17], form
    recheck = rng.random() < 0.2
    chars = list(number)
    if form == "swap":
        spots = [i for i in range(16 if recheck else 17) if chars[i] != chars[i + 1]]
        i = rng.choice(spots)
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    else:
        i = rng.randrange(17 if recheck else 18)
        pool = "0123456789X" if i == 17 else "0123456789"
        chars[i] = rng.choice([c for c in pool if c != chars[i]])
    out = "".join(chars)
    if recheck:
        return out[:17] + id_check_char(out[:17]), form + "_recheck"
    return out, form


def _made_up_id(rng: random.Random, number: str, sex: str) -> str:
    """Another valid number with the same region and birth date (a collector's guess)."""
    while True:
        seq = rng.randrange(0, 1000)
        if (seq % 2 == 1) == (sex == "1"):
            return _id(number[:6], number[6:14], seq)


def _homophones() -> dict[str, list[str]]:
    """Common characters (GB 2312 level 1) by their toneless reading, as a pinyin keyboard offers."""
    from pypinyin import Style, pinyin

    out: dict[str, list[str]] = defaultdict(list)
    for code in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                ch = bytes((code, low)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            r = pinyin(ch, style=Style.NORMAL)[0][0]
            out[r].append(ch)
    return out


def _pinyin_name(rng: random.Random, name: str) -> str:
    from pypinyin import lazy_pinyin

    syl = [s.replace("v", "ü") for s in lazy_pinyin(name)]
    surname, given = syl[0], "".join(syl[1:])
    form = rng.random()
    if form < 0.6:
        return f"{surname.capitalize()} {given.capitalize()}"
    if form < 0.8:
        return f"{surname.upper()} {given.upper()}"
    return (surname + given).capitalize()


def inject(n: int, seed: int) -> dict:
    """Write the duplicates and hard negatives into the (copied) database; the answer key."""
    import opencc
    from django.utils import timezone
    from pypinyin import Style, lazy_pinyin, pinyin

    from ybss.core.identifiers import birth_date_from_id
    from ybss.registry.models import House, Person, Residence

    rng = random.Random(seed)
    s2t = opencc.OpenCC("s2t")
    homo = _homophones()
    people = list(
        Person.objects.filter(status="accepted", id_type="111")
        .exclude(birth_date=None)
        .values(
            "id", "id_number", "name", "sex", "ethnicity", "birth_date", "phone", "hukou_division_code",
            "hukou_address_text", "hukou_address_id", "division_id", "police_unit_id", "created_by_id",
        )
    )  # fmt: skip
    people = [p for p in people if len(p["id_number"]) == 18]
    home: dict[int, tuple[int, str, str]] = {}
    for pid, hid, rtype, rel in Residence.objects.filter(active=True).values_list(
        "person_id", "house_id", "residence_type", "relation"
    ):
        home[pid] = (hid, rtype, rel)
    houses = dict(House.objects.values_list("id", "address__parent_id"))
    by_door: dict[int, list[int]] = defaultdict(list)
    for hid, door in houses.items():
        if door:
            by_door[door].append(hid)
    house_stamp = {h: (d, u) for h, d, u in House.objects.values_list("id", "division_id", "police_unit_id")}
    all_houses = list(houses)
    taken = set(Person.objects.values_list("id_number", flat=True))
    given_names = [p["name"][1:] for p in people]
    rng.shuffle(people)
    pool = iter(p for p in people if p["id"] in home)
    now = timezone.now()
    new_people: list[tuple[Person, int | None, dict]] = []  # person, house, meta

    def unique(number: str) -> bool:
        if number in taken:
            return False
        taken.add(number)
        return True

    def pinyin_of(name: str) -> str:
        return "".join(lazy_pinyin(name)) if not name.isascii() else name.replace(" ", "").lower()

    def base(p: dict, **over) -> Person:
        fields = {
            "id_type": "111",
            "id_number": p["id_number"],
            "name": p["name"],
            "pinyin": pinyin_of(p["name"]),
            "sex": p["sex"],
            "ethnicity": p["ethnicity"],
            "birth_date": p["birth_date"],
            "phone": "",
            "hukou_division_code": "",
            "hukou_address_text": "",
            "hukou_address_id": None,
            "division_id": p["division_id"],
            "police_unit_id": p["police_unit_id"],
            "created_by_id": p["created_by_id"],
            "status": rng.choice(["accepted", "pending", "draft"]),
            "created_at": now,
            "updated_at": now,
        }
        fields.update(over)
        return Person(**fields)

    def other(p: dict) -> dict:
        while True:
            q = rng.choice(people)
            if q["hukou_division_code"] != p["hukou_division_code"]:
                return q

    def share(p: dict, dup: Person, what: set[str]) -> int | None:
        """Copy what the duplicate shares with its original; give it its own values otherwise."""
        if "hukou" in what:
            dup.hukou_division_code = p["hukou_division_code"]
            text = p["hukou_address_text"]
            if rng.random() < 0.3 and text.startswith("陕西省渭南市"):
                text = text[len("陕西省渭南市") :]  # written without province and city
            dup.hukou_address_text = text
            dup.hukou_address_id = p["hukou_address_id"] if rng.random() < 0.7 else None
        elif rng.random() < 0.8:
            q = other(p)
            dup.hukou_division_code = q["hukou_division_code"]
            dup.hukou_address_text = q["hukou_address_text"]
            dup.hukou_address_id = q["hukou_address_id"]
        if "phone" in what and p["phone"]:
            dup.phone = p["phone"]
        elif rng.random() < 0.7:
            dup.phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        own = home[p["id"]][0]
        if "house" in what:
            return own
        if "door" in what:
            mates = [h for h in by_door.get(houses[own], []) if h != own]
            return rng.choice(mates) if mates else own
        return rng.choice(all_houses) if rng.random() < 0.8 else None

    def shared_set(primary: str | None, p_other: float) -> set[str]:
        what = {s for s in SHARED if rng.random() < p_other}
        if primary:
            what.add(primary)
        return what

    answers: list[dict] = []
    for kind in KINDS:
        made = 0
        while made < n:
            p = next(pool)
            if kind == "id_typo":
                number, form = _near_id(rng, p["id_number"], p["birth_date"])
                name = p["name"]
                what = shared_set(None, 0.5)
            else:
                name = ""
                if kind == "homophone":
                    spots = list(range(len(p["name"]) - 1, -1, -1))
                    for i in spots:
                        r = pinyin(p["name"][i], style=Style.NORMAL)[0][0]
                        options = [c for c in homo.get(r, []) if c != p["name"][i]]
                        if options:
                            name = p["name"][:i] + rng.choice(options) + p["name"][i + 1 :]
                            break
                elif kind == "traditional":
                    name = s2t.convert(p["name"])
                    name = name if name != p["name"] else ""
                else:
                    name = _pinyin_name(rng, p["name"])
                if not name:
                    continue
                if rng.random() < 0.5:
                    number, form = _near_id(rng, p["id_number"], p["birth_date"])
                else:
                    number, form = _made_up_id(rng, p["id_number"], p["sex"]), "made_up"
                what = shared_set(rng.choice([s for s in SHARED if s != "phone" or p["phone"]]), 0.3)
            if not unique(number):
                continue
            # the form reads the birth date off the number (a slip there moves it too)
            born = birth_date_from_id(number) if len(number) == 18 else None
            born = born if born and dt.date(1890, 1, 1) <= born <= dt.date.today() else None
            dup = base(
                p, id_number=number, name=name, pinyin=pinyin_of(name), birth_date=born or p["birth_date"]
            )
            house = share(p, dup, what)
            new_people.append((dup, house, {"kind": kind, "of": p["id"], "id_form": form, "shared": what}))
            made += 1
    for kind in NEGATIVES:
        made = 0
        while made < 2 * n:
            p = next(pool)
            if kind == "namesake":
                year = p["birth_date"].year
                day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
                if day == p["birth_date"]:
                    continue
                sex = p["sex"]
                seq = rng.choice([s for s in range(1000) if (s % 2 == 1) == (sex == "1")])
                number = _id(p["id_number"][:6], day.strftime("%Y%m%d"), seq)
                person = base(p, id_number=number, birth_date=day)
                q = other(p)
                same_village = rng.random() < 0.5
                person.hukou_division_code = (
                    p["hukou_division_code"] if same_village else q["hukou_division_code"]
                )
                person.hukou_address_text = q["hukou_address_text"]
                person.phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
                house = rng.choice(all_houses)
            else:  # twin
                sex = rng.choice("12")
                keys = set(lazy_pinyin(p["name"][1:]))
                while True:
                    given = rng.choice(given_names)
                    if (
                        len(given) == len(p["name"]) - 1
                        and given != p["name"][1:]
                        and set(lazy_pinyin(given)) != keys
                    ):
                        break
                name = p["name"][0] + given
                seq0 = int(p["id_number"][14:17])
                steps = [
                    d
                    for d in range(-6, 7)
                    if d and 0 <= seq0 + d < 1000 and ((seq0 + d) % 2 == 1) == (sex == "1")
                ]
                number = _id(p["id_number"][:6], p["id_number"][6:14], seq0 + rng.choice(steps))
                person = base(p, id_number=number, name=name, pinyin=pinyin_of(name), sex=sex)
                person.hukou_division_code = p["hukou_division_code"]
                person.hukou_address_text = p["hukou_address_text"]
                person.hukou_address_id = p["hukou_address_id"]
                person.phone = p["phone"] if rng.random() < 0.5 else ""
                house = home[p["id"]][0]
            if not unique(number):
                continue
            new_people.append((person, house, {"kind": kind, "of": p["id"]}))
            made += 1
    created = Person.objects.bulk_create([x[0] for x in new_people], batch_size=500)
    residences = []
    for person, (_p, house, meta) in zip(created, new_people, strict=True):
        meta["id"] = person.pk
        if house is None:
            continue
        division, unit = house_stamp[house]
        residences.append(
            Residence(
                person_id=person.pk, house_id=house, residence_type="floating", relation="99",
                division_id=division, police_unit_id=unit, status=person.status, created_at=now,
                updated_at=now, active=True,
            )
        )  # fmt: skip
    Residence.objects.bulk_create(residences, batch_size=500)
    for _p, _h, meta in new_people:
        answers.append({**meta, "shared": sorted(meta.get("shared", ()))})
    return {"answers": answers}


# --------------------------------------------------------------------------------------------
# The two methods


def run_ours(threshold: float) -> tuple[set[tuple[int, int]], float, float]:
    """Our pairs, the seconds for the whole person check (load + compare), and for compare only."""
    from ybss.quality import dedup

    t0 = time.perf_counter()
    people, _meta = dedup.load_persons()
    t1 = time.perf_counter()
    pairs = dedup.person_pairs(people, threshold=threshold, skip=dedup.not_duplicate_pairs(dedup.PERSON))
    t2 = time.perf_counter()
    return {tuple(sorted((k.id, d.id))) for k, d, _s in pairs}, t2 - t0, t2 - t1


def splink_frame(people):
    """The people as a pandas frame with the derived columns Splink compares."""

    import pandas as pd
    from pypinyin import lazy_pinyin

    from ybss.quality import dedup_score as ds

    @functools.cache
    def syllables(name: str) -> tuple[str, ...]:
        return tuple(ds._letters(s) for s in lazy_pinyin(ds.simplified(name)))

    rows = []
    for p in people:
        keys = sorted(ds.name_keys(p.name))
        if ds.is_latin(p.name):
            words = [ds._letters(w) for w in p.name.split()]
            key = "".join(words)
            sorted_key = "".join(sorted(words))
        else:
            syl = list(syllables(p.name))
            key = "".join(syl)
            sorted_key = "".join(sorted(syl))
        rows.append(
            {
                "unique_id": p.id,
                "id18": p.id18 or None,
                "id14": p.id18[:14] if len(p.id18) == 18 else None,
                "id_window": p.id18[:6] + p.id18[15:17] if len(p.id18) == 18 else None,
                "name": ds.norm_name(p.name) or None,
                "name_s": ds.simplified(p.name) or None,
                "name_key": key or (keys[0] if keys else None),
                "name_key_sorted": sorted_key or None,
                "dob": p.dob.isoformat() if p.dob else None,
                "sex": p.sex or None,
                "hukou_code": p.hukou_code or None,
                "hukou_text": ds.norm_hukou(p.hukou_text) or None,
                "phone": p.phones[0] if p.phones else None,
                "house": str(p.houses[0]) if p.houses else None,
                "door": str(p.doors[0]) if p.doors else None,
            }
        )
    return pd.DataFrame(rows)


def run_splink(threshold: float, u_pairs: float) -> tuple[set[tuple[int, int]], float]:
    import logging

    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from ybss.quality import dedup

    logging.getLogger("splink").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    people, _meta = dedup.load_persons()
    df = splink_frame(people)
    stages = {"load + frame": time.perf_counter() - t0}
    db = DuckDBAPI()
    sdf = db.register(df, dataset_display_name="persons")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.CustomComparison(
                [
                    cll.NullLevel("id18"),
                    cll.ExactMatchLevel("id18"),
                    cll.DamerauLevenshteinLevel("id18", 1),
                    cll.DamerauLevenshteinLevel("id18", 2),
                    cll.ElseLevel(),
                ],
                output_column_name="id18",
            ),
            cl.CustomComparison(
                [
                    cll.NullLevel("name"),
                    cll.ExactMatchLevel("name", term_frequency_adjustments=True),
                    cll.ExactMatchLevel("name_s"),
                    cll.ExactMatchLevel("name_key"),
                    cll.ExactMatchLevel("name_key_sorted"),
                    cll.JaroWinklerLevel("name_key", 0.9),
                    cll.ElseLevel(),
                ],
                output_column_name="name",
            ),
            cl.ExactMatch("dob"),
            cl.ExactMatch("sex"),
            cl.CustomComparison(
                [
                    cll.NullLevel("hukou_code"),
                    cll.ExactMatchLevel("hukou_text", term_frequency_adjustments=True),
                    cll.ExactMatchLevel("hukou_code", term_frequency_adjustments=True),
                    cll.ElseLevel(),
                ],
                output_column_name="hukou",
            ),
            cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
            cl.CustomComparison(
                [
                    cll.NullLevel("house"),
                    cll.ExactMatchLevel("house"),
                    cll.ExactMatchLevel("door"),
                    cll.ElseLevel(),
                ],
                output_column_name="house",
            ),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("dob", "name_key"),
            block_on("dob", "name_key_sorted"),
            block_on("id18"),
            block_on("id14", "name_key"),
            block_on("id_window", "name_key"),  # the same blocks as ours for a slip in the birth date
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(sdf, settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("dob", "name_key", "hukou_code"), block_on("dob", "name_key", "house")], recall=0.7
    )
    t1 = time.perf_counter()
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=1)
    stages["u sampling"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob", "name_key"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("id14"))
    stages["EM"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    pred = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    stages["predict"] = time.perf_counter() - t1
    elapsed = time.perf_counter() - t0
    print("splink stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()), flush=True)
    pairs = {
        tuple(sorted((int(a), int(b)))) for a, b in zip(pred["unique_id_l"], pred["unique_id_r"], strict=True)
    }
    return pairs, elapsed


# --------------------------------------------------------------------------------------------


def evaluate(
    found: set[tuple[int, int]], truth: set[tuple[int, int]]
) -> tuple[int, int, int, float, float, float]:
    tp = len(found & truth)
    fp = len(found - truth)
    fn = len(truth - found)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return tp, fp, fn, p, r, f1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default="/work/benchdata")
    ap.add_argument("--n", type=int, default=50, help="duplicates of each kind (hard negatives: 2n of each)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--no-splink", action="store_true")
    ap.add_argument("--splink-u-pairs", type=float, default=5e6, help="pairs Splink samples for its u values")
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the copied county")
    args = ap.parse_args()
    src = Path(args.data_dir)
    if not (src / "ybss.sqlite3").exists():
        raise SystemExit(
            f"no county in {src}: YBSS_DATA_DIR={src} ybss migrate && ybss demo --scale 1 --seed 7"
        )
    work = Path(tempfile.mkdtemp(prefix="ybss-dedupbench-"))
    print(f"copying the county to {work} …", flush=True)
    copy_county(src, work)
    os.environ["YBSS_DATA_DIR"] = str(work)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ybss.settings.dev")
    subprocess.run([sys.executable, "-m", "ybss", "migrate", "-v", "0"], check=True, env=os.environ)
    import django

    django.setup()
    key = inject(args.n, args.seed)
    answers = key["answers"]
    truth = {tuple(sorted((a["id"], a["of"]))) for a in answers if a["kind"] in KINDS}
    negatives = {a["id"]: a["kind"] for a in answers if a["kind"] in NEGATIVES}
    kind_of = {tuple(sorted((a["id"], a["of"]))): a for a in answers if a["kind"] in KINDS}
    kinds = ", ".join(KINDS)
    print(f"injected {len(truth)} duplicates ({args.n} of each of {kinds}), {len(negatives)} hard negatives")

    results = {}
    ours, ours_s, ours_cmp = run_ours(args.threshold)
    results["ours (blocking + scoring)"] = (ours, ours_s)
    if not args.no_splink:
        sp, sp_s = run_splink(args.threshold, args.splink_u_pairs)
        results["Splink 5 / DuckDB"] = (sp, sp_s)

    print()
    print(f"person duplicates, threshold {args.threshold}, {len(truth)} true pairs in the county")
    cols = ("time s", "pairs", "TP", "FP", "FN", "prec", "recall", "F1")
    widths = (7, 6, 5, 4, 4, 6, 6, 6)
    head = f"{'method':28} " + " ".join(f"{c:>{w}}" for c, w in zip(cols, widths, strict=True))
    print(head)
    print("-" * len(head))
    for label, (found, secs) in results.items():
        tp, fp, fn, p, r, f1 = evaluate(found, truth)
        print(f"{label:28} {secs:7.2f} {len(found):6d} {tp:5d} {fp:4d} {fn:4d} {p:6.3f} {r:6.3f} {f1:6.3f}")
    print(f"(ours: {ours_cmp:.2f} s of it comparing, the rest reading the people)")
    print()
    print("recall by kind / hard negatives flagged")
    labels = list(results)
    print(f"{'kind':14} " + " ".join(f"{lab[:22]:>22}" for lab in labels))
    for kind in KINDS:
        pairs = {k for k, a in kind_of.items() if a["kind"] == kind}
        cells = [f"{len(pairs & results[lab][0]):>3}/{len(pairs):<3}" for lab in labels]
        print(f"{kind:14} " + " ".join(f"{c:>22}" for c in cells))
    for kind in NEGATIVES:
        ids = {i for i, k in negatives.items() if k == kind}
        cells = []
        for lab in labels:
            hit = {pair for pair in results[lab][0] if pair[0] in ids or pair[1] in ids}
            cells.append(f"{len(hit):>3} flagged of {len(ids)}")
        print(f"{kind:14} " + " ".join(f"{c:>22}" for c in cells))
    if args.show_misses:
        from ybss.quality import dedup_score as ds
        from ybss.registry.models import Person

        for label, (found, _s) in results.items():
            print(f"\n{label}: missed")
            for pair in sorted(truth - found):
                a = kind_of[pair]
                names = dict(Person.objects.filter(id__in=pair).values_list("id", "name"))
                print(" ", a["kind"], a["id_form"], a["shared"], names.get(a["of"]), names.get(a["id"]))
            print(f"{label}: false positives")
            for pair in sorted(found - truth):
                names = dict(Person.objects.filter(id__in=pair).values_list("id", "name"))
                print(" ", pair, [names.get(i) for i in pair], [negatives.get(i, "county") for i in pair])
        del ds
    if args.keep:
        print(f"\nthe copy is left in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
