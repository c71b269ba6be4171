"""Duplicate checks (``quality.dedup``): each kind of duplicate person, unit and address is found
on a small county, the hard negatives (twins, namesakes) are not, and "not a duplicate" decisions
hold. The scoring itself is tested on plain records, with a hypothesis property for ID typos."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import AddressFactory, PersonFactory, ResidenceFactory, UnitFactory, make_id
from ybss.core.identifiers import credit_check_char, id_check_char
from ybss.quality import dedup
from ybss.quality import dedup_score as ds
from ybss.quality.spec import ScanContext


def _with_check(body: str) -> str:
    return body + id_check_char(body)


BIRTH = dt.date(1985, 3, 12)
ORIGINAL_ID = make_id(birth="19850312", seq=135)
HUKOU_TEXT = "陕西省渭南市合阳县城关街道金水社区凤凰路3号"
DAY_SWAPPED_ID = ORIGINAL_ID[:12] + "21" + ORIGINAL_ID[14:]  # 19850312 → 19850321, check kept
FULLWIDTH_ID = ORIGINAL_ID[:9] + chr(ord(ORIGINAL_ID[9]) + 0xFEE0) + ORIGINAL_ID[10:]  # one digit full-width


def _ctx(**kw) -> ScanContext:
    return ScanContext(today=dt.date(2026, 11, 1), **kw)


def _findings(category: str | None = None, **kw):
    found = list(dedup.run(_ctx(**kw)))
    return [f for f in found if category is None or f.category == category]


def _stamp(station):
    return {"division": station.village, "police_unit": station.district}


def _person(station, house=None, **fields):
    values = {
        "id_number": ORIGINAL_ID,
        "name": "张伟",
        "pinyin": "zhangwei",
        "sex": "1",
        "birth_date": BIRTH,
        "phone": "13912340001",
        "hukou_division_code": "610524001003",
        "hukou_address_text": HUKOU_TEXT,
        **_stamp(station),
        **fields,
    }
    person = PersonFactory(**values)
    if house is not None:
        ResidenceFactory(person=person, house=house, residence_type="floating", **_stamp(station))
    return person


def _elsewhere(**fields):
    """What a separately entered record has of its own: another phone, domicile and no house."""
    return {
        "phone": "13700000077",
        "hukou_division_code": "610524101201",
        "hukou_address_text": "陕西省渭南市合阳县甘井镇甘井村8号",
        **fields,
    }


def _one_digit_off(number: str, i: int = 10) -> str:
    return number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]


# --------------------------------------------------------------------------------------------
# Persons on the test county

pytestmark = pytest.mark.django_db


def test_the_test_county_has_no_duplicates(county):
    assert _findings() == []


@pytest.mark.parametrize(
    "kind,fields,shares_house",
    [
        ("id_typo", {"id_number": _one_digit_off(ORIGINAL_ID)}, False),
        ("id_check", {"id_number": ORIGINAL_ID[:17] + ("0" if ORIGINAL_ID[17] != "0" else "1")}, False),
        (
            "id_swap",
            {"id_number": ORIGINAL_ID[:15] + ORIGINAL_ID[16] + ORIGINAL_ID[15] + ORIGINAL_ID[17]},
            False,
        ),
        ("id15", {"id_number": ORIGINAL_ID[:6] + ORIGINAL_ID[8:17]}, False),
        ("id_fullwidth", {"id_number": FULLWIDTH_ID}, False),
        # one region digit changed and the check recomputed: valid, so the shared domicile decides
        (
            "id_recheck",
            {
                "id_number": _with_check(ORIGINAL_ID[:4] + "3" + ORIGINAL_ID[5:17]),
                "hukou_division_code": "610524001003",
                "hukou_address_text": HUKOU_TEXT,
            },
            False,
        ),
        # the day's digits swapped, and the form read the birth date off the number
        ("id_day_swap", {"id_number": DAY_SWAPPED_ID, "birth_date": dt.date(1985, 3, 21)}, False),
        (
            "id_day_swap_recheck",
            {
                "id_number": _with_check(DAY_SWAPPED_ID[:17]),
                "birth_date": dt.date(1985, 3, 21),
                "hukou_division_code": "610524001003",
                "hukou_address_text": HUKOU_TEXT,
            },
            False,
        ),
        ("homophone", {"name": "张玮", "id_number": make_id(birth="19850312", seq=357)}, True),
        (
            "traditional",
            {"name": "張偉", "id_number": make_id(birth="19850312", seq=573), "phone": "13912340001"},
            False,
        ),
        (
            "pinyin",
            {
                "name": "Zhang Wei",
                "id_number": make_id(birth="19850312", seq=791),
                "hukou_division_code": "610524001003",
                "hukou_address_text": "城关街道金水社区凤凰路3号",
            },
            False,
        ),
        ("pinyin_upper", {"name": "WEI ZHANG", "id_number": _one_digit_off(ORIGINAL_ID, 3)}, False),
    ],
)
def test_each_kind_of_duplicate_person_is_found(county, kind, fields, shares_house):
    if kind == "id_swap":
        assert fields["id_number"] != ORIGINAL_ID
    original = _person(county.a, house=county.a.house)
    dup = _person(
        county.a,
        house=county.a.house if shares_house else None,
        created_by=county.a.users["collector"],
        status="pending",
        **_elsewhere(**fields),
    )
    found = _findings("duplicate_person")
    assert [(f.record_id, f.related) for f in found] == [(dup.pk, (("registry.person", original.pk),))]
    f = found[0]
    assert (
        f.rule == "person.duplicate" and f.score >= 0.9 and f.collector_id == county.a.users["collector"].pk
    )
    assert f.key == f"registry.person:{original.pk}"
    birth_level = "from_id" if "day" in kind else "same"  # the slip moved the birth date read off it
    assert f.evidence["why"] and f.evidence["levels"]["birth_date"] == birth_level
    text = json.dumps(f.evidence, ensure_ascii=False)
    assert ORIGINAL_ID not in text and dup.id_number not in text and "13912340001" not in text


def test_id_number_kinds_are_named_in_the_evidence(county):
    original = _person(county.a)
    dup = _person(county.a, **_elsewhere(id_number=_one_digit_off(ORIGINAL_ID)))
    f = _findings("duplicate_person")[0]
    assert (f.record_id, f.evidence["levels"]["id"], f.evidence["levels"]["name"]) == (dup.pk, "typo", "same")
    assert f.evidence["record"]["id_number"] == "610524********" + dup.id_number[-4:]
    assert f.evidence["partner"]["id"] == original.pk


@pytest.mark.parametrize(
    "fields",
    [
        # a twin: same birth date, house, domicile and phone, another given name, a neighbouring number
        {"name": "张磊", "pinyin": "zhanglei", "id_number": make_id(birth="19850312", seq=137)},
        # a namesake born the same year, in the same village
        {"birth_date": dt.date(1985, 7, 1), "id_number": make_id(birth="19850701", seq=135)},
    ],
    ids=["twin", "namesake_same_year"],
)
def test_hard_negatives_sharing_a_house_are_not_flagged(county, fields):
    _person(county.a, house=county.a.house)
    _person(county.a, house=county.a.house, **fields)
    assert _findings("duplicate_person") == []


def test_namesakes_born_the_same_day_with_nothing_else_in_common_are_not_flagged(county):
    _person(county.a, house=county.a.house)
    _person(county.b, house=county.b.house, **_elsewhere(id_number=make_id(birth="19850312", seq=913)))
    _person(
        county.b,
        name="张玮",
        phone="",
        hukou_division_code="610524101000",
        hukou_address_text="",
        id_number=make_id(birth="19850312", seq=715),
    )
    assert _findings("duplicate_person") == []


def test_a_not_duplicate_decision_is_remembered(county):
    from ybss.quality.models import NotDuplicatePair

    a = _person(county.a)
    b = _person(county.a, **_elsewhere(id_number=_one_digit_off(ORIGINAL_ID)))
    assert len(_findings("duplicate_person")) == 1
    NotDuplicatePair.objects.create(
        record_type="registry.person", record_a=a.pk, record_b=b.pk, decided_at=timezone.now()
    )
    assert _findings("duplicate_person") == []


def test_the_police_prefix_limits_the_findings_not_the_comparison(county):
    original = _person(county.a)
    dup = _person(county.b, **_elsewhere(id_number=_one_digit_off(ORIGINAL_ID)))
    station_a, station_b = county.a.station.prefix, county.b.station.prefix
    assert _findings("duplicate_person", police_prefix=station_a) == []
    found = _findings("duplicate_person", police_prefix=station_b)
    assert [(f.record_id, f.related) for f in found] == [(dup.pk, (("registry.person", original.pk),))]


def test_switched_off_rules_and_single_record_rechecks_find_nothing(county):
    _person(county.a)
    _person(county.a, **_elsewhere(id_number=_one_digit_off(ORIGINAL_ID)))
    assert _findings(settings={"person.duplicate": {"enabled": False}}) == []
    assert _findings(records={"registry.person": {1}}) == []
    strict = {"person.duplicate": {"enabled": True, "params": {"threshold": 0.999999}}}
    assert _findings(settings=strict) == []


def test_the_draft_is_reported_and_the_accepted_record_kept(county):
    dup = _person(county.a, status="draft")
    original = _person(county.a, **_elsewhere(id_number=_one_digit_off(ORIGINAL_ID), status="accepted"))
    # the typo'd number is on the accepted record, but a draft gives way first
    f = _findings("duplicate_person")[0]
    assert (f.record_id, f.related) == (dup.pk, (("registry.person", original.pk),))


# --------------------------------------------------------------------------------------------
# Units


def _credit(body: str) -> str:
    return body + credit_check_char(body)


def _unit(station, door, **fields):
    values = {
        "address": door,
        "credit_code": "",
        "legal_rep_name": "",
        "legal_rep_id_number": "",
        "legal_rep_phone": "",
        **_stamp(station),
        **fields,
    }
    return UnitFactory(**values)


def test_units_with_one_credit_code_are_duplicates_anywhere(county):
    code = _credit("91610524MA6Y12345")
    keep = _unit(county.a, county.a.door, name="合阳县恒通酿造有限公司", credit_code=code)
    dup = _unit(county.b, county.b.door, name="恒通酿造有限责任公司", credit_code=code, status="pending")
    found = _findings("duplicate_unit")
    assert [(f.record_id, f.related) for f in found] == [(dup.pk, (("registry.unit", keep.pk),))]
    assert found[0].evidence["levels"]["credit_code"] == "same"


@pytest.mark.parametrize(
    "first,second",
    [
        ("鸿运五金店", "鴻運五金店"),
        ("嘉禾超市", "合阳县嘉禾超市"),
        ("丰泽药店有限公司", "丰泽药店有限责任公司"),
    ],
)
def test_name_variants_at_one_door_plate_are_duplicates(county, first, second):
    door = AddressFactory(
        road=county.a.road, door_number="K7", full_name="合阳县城关街道a测试路K7号", **_stamp(county.a)
    )
    keep = _unit(county.a, door, name=first)
    dup = _unit(county.a, door, name=second, created_by=county.a.users["collector"])
    found = _findings("duplicate_unit")
    assert [(f.record_id, f.related) for f in found] == [(dup.pk, (("registry.unit", keep.pk),))]
    assert found[0].collector_id == county.a.users["collector"].pk


def test_different_shops_at_one_door_plate_are_not_duplicates(county):
    door = AddressFactory(
        road=county.a.road, door_number="K8", full_name="合阳县城关街道a测试路K8号", **_stamp(county.a)
    )
    _unit(county.a, door, name="鸿运五金店", credit_code=_credit("92610524MA6Y00011"))
    _unit(county.a, door, name="鸿发五金店", credit_code=_credit("92610524MA6Y00022"))
    _unit(county.a, door, name="嘉禾超市一店")
    _unit(county.a, door, name="嘉禾超市二店")
    _unit(county.a, door, name="晨光早餐店")
    assert _findings("duplicate_unit") == []


def test_a_unit_not_duplicate_decision_is_remembered(county):
    from ybss.quality.models import NotDuplicatePair

    code = _credit("91610524MA6Y54321")
    a = _unit(county.a, county.a.door, name="合阳县秦晋食品有限公司", credit_code=code)
    b = _unit(county.a, county.a.door, name="合阳县秦晋食品有限公司", credit_code=code)
    assert len(_findings("duplicate_unit")) == 1
    NotDuplicatePair.objects.create(
        record_type="registry.unit", record_a=a.pk, record_b=b.pk, decided_at=timezone.now()
    )
    assert _findings("duplicate_unit") == []


# --------------------------------------------------------------------------------------------
# Addresses


def _address_pair(station, number: str = "K30"):
    stamp = {**_stamp(station), "road": station.road}
    name = f"{station.door.full_name.rsplit('路', 1)[0]}路{number}号"
    return AddressFactory(door_number=number, full_name=name, **stamp), AddressFactory(
        door_number=number, full_name=name, **stamp
    )


def test_duplicate_addresses_come_from_the_address_duplicate_finder(county):
    from ybss.cleaning.models import NotDuplicate

    x, y = _address_pair(county.a)
    found = _findings("duplicate_address")
    assert [(f.record_id, f.related) for f in found] == [(y.pk, (("addresses.standardaddress", x.pk),))]
    assert found[0].evidence["why"] and found[0].score >= 0.9
    NotDuplicate.objects.create(address_a=x, address_b=y, decided_at=timezone.now())
    assert _findings("duplicate_address") == []


# --------------------------------------------------------------------------------------------
# Pure scoring


def test_name_keys_hear_homophones_traditional_and_pinyin_spellings():
    assert ds.name_keys("张伟") & ds.name_keys("张玮") & ds.name_keys("張偉") & ds.name_keys("Zhang Wei")
    assert "zhangwei" in ds.name_keys("WEI ZHANG") and "zhangwei" in ds.name_keys("Zhāng Wěi")
    assert {"zengfan", "cengfan"} <= ds.name_keys("曾凡")  # a polyphonic surname, both readings
    assert ds.name_keys("吕娜") & ds.name_keys("Lü Na") & ds.name_keys("Lv Na")
    assert not ds.name_keys("张伟") & ds.name_keys("张磊")


def test_id_levels():
    assert ds.compare_ids("111", ORIGINAL_ID, "111", ORIGINAL_ID) == "same"
    assert (
        ds.compare_ids("111", ORIGINAL_ID, "111", ds.norm_id("111", ORIGINAL_ID[:6] + ORIGINAL_ID[8:17]))
        == "same"
    )
    assert ds.compare_ids("111", ORIGINAL_ID, "111", _one_digit_off(ORIGINAL_ID)) == "typo"
    swapped = ORIGINAL_ID[:10] + ORIGINAL_ID[11] + ORIGINAL_ID[10] + ORIGINAL_ID[12:]
    assert ORIGINAL_ID[10] != ORIGINAL_ID[11] and ds.compare_ids("111", ORIGINAL_ID, "111", swapped) == "swap"
    twin = make_id(birth="19850312", seq=137)
    assert ds.compare_ids("111", ORIGINAL_ID, "111", twin) == "recheck"
    assert ds.compare_ids("111", ORIGINAL_ID, "111", make_id(birth="19850312", seq=153)) == "swap_recheck"
    fullwidth = ORIGINAL_ID[:5] + chr(ord(ORIGINAL_ID[5]) + 0xFEE0) + ORIGINAL_ID[6:]
    assert ds.norm_id("111", fullwidth) == ORIGINAL_ID
    letter_o = ORIGINAL_ID.replace("0", "O", 1)
    assert letter_o != ORIGINAL_ID and ds.norm_id("111", letter_o) == ORIGINAL_ID
    dropped = ORIGINAL_ID[:9] + ORIGINAL_ID[10:]
    assert ds.compare_ids("111", ORIGINAL_ID, "111", ds.norm_id("111", dropped)) == "typo"
    assert ds.compare_ids("111", ORIGINAL_ID, "111", make_id(birth="19850312", seq=802)) == "other"
    assert ds.compare_ids("111", ORIGINAL_ID, "414", "E12345678") == ""


def _rec(pk: int, number: str, name: str = "李秀英", birth: dt.date = BIRTH, **kw) -> ds.PersonRec:
    return ds.PersonRec(id=pk, id_type="111", id_number=number, name=name, birth_date=birth, **kw).prepare()


def test_unit_name_levels():
    prefixes = ["陕西省", "陕西", "渭南市", "渭南", "合阳县", "合阳"]
    assert ds.compare_unit_names("鸿运五金店", "鴻運五金店", prefixes) == "traditional"
    assert ds.compare_unit_names("合阳县嘉禾超市", "嘉禾超市", prefixes) == "core"
    assert ds.compare_unit_names("嘉禾超市一店", "嘉禾超市二店", prefixes) == "different"
    assert ds.compare_unit_names("恒通酿造有限公司", "恒通酿造有限责任公司", prefixes) == "core"


REGIONS = ["610524", "110101", "440305", "511603", "653101"]
NAME_CHARS = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗伟芳娜敏静丽强磊军洋勇艳杰涛明超秀英华慧巧美"


@settings(max_examples=200, deadline=None)
@given(
    region=st.sampled_from(REGIONS),
    birth=st.dates(dt.date(1920, 1, 1), dt.date(2024, 12, 31)),
    seq=st.integers(0, 999),
    name=st.text(alphabet=NAME_CHARS, min_size=2, max_size=3),
    position=st.integers(0, 17),
    shift=st.integers(1, 10),
    phones=st.booleans(),
)
def test_a_copy_one_id_digit_off_is_always_found(region, birth, seq, name, position, shift, phones):
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    number = first17 + id_check_char(first17)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    typo_char = alphabet[(alphabet.index(number[position]) + shift) % len(alphabet)]
    if typo_char == number[position]:
        typo_char = alphabet[(alphabet.index(number[position]) + 1) % len(alphabet)]
    typo = number[:position] + typo_char + number[position + 1 :]
    sex = "1" if seq % 2 else "2"
    original = _rec(1, number, name, birth, sex=sex, phones=("13900000001",) if phones else ())
    copy = _rec(
        2, typo, name, birth, sex=sex, phones=("13800000002",) if phones else (), hukou_code="110101000000"
    )
    # a namesake born the same day in another region, every sequence digit different: never one
    # slip away from the copy
    other_seq = "".join(str((int(c) + 5) % 10) for c in f"{seq:03d}")
    other_region = REGIONS[(REGIONS.index(region) + 1) % len(REGIONS)]
    other = f"{other_region}{birth:%Y%m%d}{other_seq}"
    namesake = _rec(3, other + id_check_char(other), name, birth, sex=sex)
    pairs = dedup.person_pairs([original, copy, namesake])
    assert {(k.id, d.id) for k, d, _s in pairs} == {(1, 2)}


def test_twins_and_namesakes_score_low_on_plain_records():
    f = ds.Frequencies(
        total=200_000, hukou_code={"610524001003": 2000}, house={7: 4}, phone={"13900000001": 2}
    )
    a = _rec(1, ORIGINAL_ID, "张伟", sex="1", hukou_code="610524001003", houses=(7,), phones=("13900000001",))
    twin = _rec(
        2, make_id(birth="19850312", seq=137), "张磊", sex="1", hukou_code="610524001003", houses=(7,)
    )
    namesake = _rec(
        3, make_id(birth="19850312", seq=913), "张伟", sex="1", hukou_code="610524101201", houses=(9,)
    )
    # even compared directly (blocking never pairs them), a twin stays below the threshold: the
    # house, domicile and phone a family shares count once, and the names disagree
    twin_score = ds.score_persons(a, twin, f)
    assert twin_score.probability < 0.9 and twin_score.weights["household_overlap"] < 0
    assert ds.score_persons(a, namesake, f).probability < 0.1
    same_house = _rec(4, make_id(birth="19850312", seq=359), "张玮", sex="1", houses=(7,))
    assert ds.score_persons(a, same_house, f).probability > 0.9
