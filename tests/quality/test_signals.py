"""Signs of fabrication (issue 6): each signal fires on a bad example and stays quiet on the honest
look-alike (a family sharing a phone, twins, a normal working pace, 务农 for many farmers).

The first half drives the pure detectors of ``quality.fabrication`` with plain rows; the second
builds records with the factories and the ORM and runs ``quality.signals`` over the database.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from decimal import Decimal

import pytest

from tests.factories import AddressFactory, HouseFactory, PersonFactory, ResidenceFactory, make_id
from ybss.addresses.models import AddressLevel
from ybss.collection.models import Photo, Submission, SubmissionEffect
from ybss.quality import fabrication as fab
from ybss.quality import signals
from ybss.quality.findings import CATEGORIES
from ybss.quality.models import RuleSetting
from ybss.quality.spec import ScanContext
from ybss.registry.models import Person

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(day: int, hh: int, mm: int = 0, ss: int = 0) -> dt.datetime:
    """A Beijing time in November 2026, as an aware datetime."""
    return dt.datetime(2026, 11, day, tzinfo=BEIJING) + dt.timedelta(hours=hh, minutes=mm, seconds=ss)


def ids_of(hits):
    return {h.record_id for h in hits}


# --- the rules themselves --------------------------------------------------------------------


def test_every_rule_is_a_fabrication_category_with_its_defaults():
    codes = [r.code for r in signals.RULES]
    assert len(codes) == len(set(codes))
    for rule in signals.RULES:
        assert rule.category.startswith("fake_") and rule.category in CATEGORIES
        assert rule.category != "overcrowded"
    covered = {r.category for r in signals.RULES}
    assert covered == {c for c, (_label, group) in CATEGORIES.items() if group == "fabrication"}


# --- pure detectors: ID numbers --------------------------------------------------------------


def test_ids_counting_up_under_one_birth_date_are_flagged():
    rows = [
        fab.IdRow(i, make_id(birth="19900505", seq=seq), f"人{i}", 7)
        for i, seq in enumerate((11, 12, 13, 14))
    ]
    hits = fab.sequential_ids(rows)
    assert ids_of(hits) == {0, 1, 2, 3}
    assert hits[0].evidence["sequences"] == ["011", "012", "013", "014"]
    assert "19900505" not in str(hits[0].evidence)  # masked


def test_ids_with_birth_dates_counting_up_are_flagged():
    rows = [
        fab.IdRow(i, make_id(birth=f"199005{day:02d}", seq=33), f"人{i}", 7)
        for i, day in enumerate((4, 5, 6, 7))
    ]
    assert ids_of(fab.sequential_ids(rows)) == {0, 1, 2, 3}


def test_twins_and_other_collectors_are_not_a_run():
    twins = [
        fab.IdRow(1, make_id(birth="20150601", seq=21), "李想", 7),
        fab.IdRow(2, make_id(birth="20150601", seq=22), "李念", 7),
    ]
    other = [fab.IdRow(3, make_id(birth="20150601", seq=23), "王五一", 8)]
    nobody = [fab.IdRow(i, make_id(birth="19800101", seq=s), "某", None) for i, s in ((4, 1), (5, 3), (6, 5))]
    assert fab.sequential_ids(twins + other + nobody) == []


def test_repeated_and_straight_digits_are_flagged_and_ordinary_ones_not():
    assert fab.id_digit_pattern(make_id(birth="19881111", seq=111))["repeat_length"] >= 7
    assert fab.id_digit_pattern("123456789012345678")["straight_length"] >= 6
    assert fab.id_digit_pattern("111111111111111111")["distinct_digits"] == 1
    assert fab.id_digit_pattern(make_id(birth="19800101", seq=123)) == {}
    assert fab.id_digit_pattern("G12345678") == {}  # a passport is not an ID number


def test_one_base_with_the_check_digit_changed_flags_the_wrong_checks():
    good = make_id(birth="19750315", seq=137)
    wrong = [good[:17] + c for c in "0123456789X" if c != good[17]][:2]
    rows = [
        fab.IdRow(1, good, "刘德明", 7),
        fab.IdRow(2, wrong[0], "陈小红", 7),
        fab.IdRow(3, wrong[1], "周海", 7),
    ]
    assert ids_of(fab.reused_id_bases(rows)) == {2, 3}


def test_a_duplicate_with_a_mistyped_check_digit_is_not_a_reused_base():
    good = make_id(birth="19750315", seq=137)
    typo = good[:17] + ("1" if good[17] != "1" else "2")
    assert fab.reused_id_bases([fab.IdRow(1, good, "张伟", 7), fab.IdRow(2, typo, "张玮", 8)]) == []


# --- pure detectors: phones, names, households -----------------------------------------------


def test_one_phone_on_strangers_is_flagged():
    rows = [
        fab.PhoneRow(i, "13800001111", 100 + i, surname, "610524101201", 7)
        for i, surname in enumerate("王李张刘")
    ]
    hits = fab.shared_phones(rows)
    assert ids_of(hits) == {0, 1, 2, 3}
    assert hits[0].evidence["phone"] == "138****1111" and hits[0].evidence["families"] == 4


def test_a_family_sharing_a_phone_is_not_flagged():
    village = "610524101201"
    rows = [
        fab.PhoneRow(1, "13900002222", 10, "党", village, 7),  # the householder
        fab.PhoneRow(2, "13900002222", 10, "雷", village, 7),  # his wife, same house
        fab.PhoneRow(3, "13900002222", 10, "党", village, 7),  # their daughter
        fab.PhoneRow(4, "13900002222", 55, "党", village, 8),  # his old father, another house
        fab.PhoneRow(5, "13900002222", 56, "党", village, 8),  # his brother's household
    ]
    assert fab.family_count([(r.id, r.house_id, r.surname, r.hukou_village) for r in rows]) == 1
    assert fab.shared_phones(rows) == []


@pytest.mark.parametrize(
    "name",
    [
        "测试",
        "测试人员",
        "张三",
        "李四",
        "王五",
        "某某",
        "无",
        "不详",
        "xxx",
        "XXX",
        "test",
        "123",
        "王某",
        "李某某",
        "张三1",
        "啊啊啊",
    ],
)
def test_placeholder_names_are_flagged(name):
    assert fab.placeholder_kind(name) is not None


@pytest.mark.parametrize(
    "name", ["张三丰", "李四海", "王五一", "刘某英", "张山", "王丽丽", "约翰·约翰逊", "欧阳娜娜"]
)
def test_real_names_are_not_placeholders(name):
    assert fab.placeholder_kind(name) is None


def test_a_household_born_on_one_day_is_flagged_and_twins_are_not():
    day = dt.date(1985, 3, 3)
    invented = [fab.MemberRow(1, pid, day, 7) for pid in (11, 12, 13)]
    twins = [
        fab.MemberRow(2, 21, dt.date(1980, 2, 2), 7),
        fab.MemberRow(2, 22, dt.date(1982, 7, 9), 7),
        fab.MemberRow(2, 23, dt.date(2015, 6, 1), 7),
        fab.MemberRow(2, 24, dt.date(2015, 6, 1), 7),
    ]
    hits = fab.same_birthdates(invented + twins)
    assert ids_of(hits) == {11, 12, 13}
    assert ("registry.house", 1) in hits[0].related and hits[0].evidence["household"] == 3


def test_a_whole_household_of_two_born_on_one_day_is_a_weak_sign():
    pair = [fab.MemberRow(3, 31, dt.date(1979, 4, 4), 7), fab.MemberRow(3, 32, dt.date(1979, 4, 4), 7)]
    hits = fab.same_birthdates(pair)
    assert ids_of(hits) == {31, 32} and hits[0].score == 0.5
    assert fab.same_birthdates(pair, min_whole=3) == []


# --- pure detectors: time ----------------------------------------------------------------------


def test_many_records_within_a_minute_are_a_burst():
    events = [fab.Event.when(7, local(3, 10, 0, 8 * i), "registry.person", i) for i in range(6)]
    hits = fab.speed_bursts(events, tz=BEIJING)
    assert ids_of(hits) == set(range(6))
    assert hits[0].evidence["records"] == 6 and hits[0].evidence["from"] == "2026-11-03 10:00:00"


def test_a_normal_working_pace_is_not_a_burst():
    events = [
        fab.Event.when(7, local(3, 9) + dt.timedelta(minutes=6 * i), "registry.person", i) for i in range(40)
    ]
    assert fab.speed_bursts(events, tz=BEIJING) == []


def test_one_machine_write_counts_once():
    """An import or a bulk load writes many records in the same instant: one act, not a burst."""
    at = local(3, 10)
    events = [fab.Event.when(7, at + dt.timedelta(microseconds=i), "registry.person", i) for i in range(50)]
    assert fab.speed_bursts(events, tz=BEIJING) == []


def test_records_in_the_small_hours_are_a_night_burst():
    events = [fab.Event.when(7, local(4, 1, 10 * i), "registry.person", i) for i in range(4)]
    evening = [fab.Event.when(8, local(4, 20, 10 * i), "registry.person", 10 + i) for i in range(6)]
    hits = fab.night_bursts(events + evening, tz=BEIJING)
    assert ids_of(hits) == {0, 1, 2, 3}
    assert hits[0].evidence["night"] == "2026-11-04"


def test_households_in_quick_succession_are_flagged():
    quick = [
        fab.FormRow(
            i,
            7,
            local(5, 10) + dt.timedelta(seconds=70 * i),
            local(5, 10) + dt.timedelta(seconds=70 * i + 30),
        )
        for i in range(6)
    ]
    honest = [
        fab.FormRow(
            10 + i,
            8,
            local(5, 9) + dt.timedelta(minutes=12 * i),
            local(5, 9) + dt.timedelta(minutes=12 * i + 7),
        )
        for i in range(10)
    ]
    assert ids_of(fab.household_pace(quick + honest)) == set(range(6))
    assert ids_of(fab.fast_forms(quick + honest)) == set(range(6))


def test_a_quick_correction_of_a_returned_form_is_not_fast():
    fix = fab.FormRow(1, 7, local(5, 19), local(5, 19, 0, 25), 0, True)
    assert fab.fast_forms([fix]) == [] and fab.household_pace([fix] * 5) == []


def test_many_new_people_typed_in_seconds_are_fast():
    form = fab.FormRow(1, 7, local(5, 10), local(5, 10, 2), new_records=8)  # 120 s for 8 people
    assert ids_of(fab.fast_forms([form])) == {1}


# --- pure detectors: place and reuse -----------------------------------------------------------


def test_gps_far_from_the_door_is_flagged_within_its_accuracy_not():
    door = (110.149, 35.238)
    far = fab.GpsRow(1, 7, 110.149, 35.268, 20, 5, *door)  # 3.3 km north
    near = fab.GpsRow(2, 7, 110.1492, 35.2381, 15, 5, *door)
    poor_fix = fab.GpsRow(3, 7, 110.149, 35.244, 900, 5, *door)  # 670 m off, ±900 m
    hits = fab.gps_far([far, near, poor_fix])
    assert ids_of(hits) == {1} and 3200 < hits[0].evidence["distance_m"] < 3400


def test_haversine():
    assert abs(fab.haversine_m(110.0, 35.0, 110.0, 36.0) - 111_195) < 50


LONG_NOTE = "经入户核实，该户4口人信息与户籍登记一致，户主王某在西安务工，家中由母亲照看，无异常情况。"


def test_one_long_remark_on_many_households_is_flagged():
    rows = [fab.TextRow("collection.submission", i, "note", LONG_NOTE, ("house", i), 7) for i in range(5)]
    stock = [
        fab.TextRow("collection.submission", 100 + i, "note", "信息无变化", ("house", 100 + i), 8 + i % 20)
        for i in range(200)
    ]
    hits = fab.text_reuse(rows + stock)
    assert ids_of(hits) == set(range(5)) and hits[0].evidence["households"] == 5


def test_wunong_for_many_farmers_is_not_text_reuse():
    rows = [
        fab.TextRow("registry.person", i, "occupation", "务农", i, 1 + i % 6)  # six collectors' farmers
        for i in range(300)
    ]
    own_word = [
        fab.TextRow("registry.person", 1000 + i, "occupation", "务农人员", 1000 + i, 9) for i in range(40)
    ]
    assert fab.text_reuse(rows + own_word) == []


def test_a_backed_text_does_not_count():
    rows = [
        fab.TextRow("registry.person", i, "employer", "合阳县兴盛建材有限公司", i, 7, True) for i in range(8)
    ]
    assert fab.text_reuse(rows) == []


def test_one_photo_on_different_doors_is_flagged_rooms_of_one_door_not():
    reused = [fab.PhotoRow(i, "ab" * 32, 10 + i, 7, 500 + i) for i in range(3)]
    building = [fab.PhotoRow(5 + i, "cd" * 32, 20 + i, 7, 600) for i in range(4)]
    assert ids_of(fab.photo_reuse(reused + building)) == {10, 11, 12}


# --- the scan over the database ----------------------------------------------------------------


def run_signals(**ctx_kw):
    return list(signals.run(ScanContext(today=dt.date(2026, 11, 15), **ctx_kw)))


def rules_on(findings, record_type, pk):
    return {f.rule for f in findings if f.record_type == record_type and f.record_id == pk}


def stamp(station):
    return {"division": station.village, "police_unit": station.district}


def new_house(station, **kw):
    s = stamp(station)
    return HouseFactory(
        address=AddressFactory(**s, lat=Decimal("35.2380000"), lng=Decimal("110.1490000")), **s, **kw
    )


def lives(person, house, station):
    ResidenceFactory(person=person, house=house, **stamp(station))
    return person


def person(station, seq, *, birth="", name="", by=None, **kw):
    """A person with ID sequence ``seq`` (odd for men); the birth date varies with it unless given,
    so that people made one after another do not count up by accident."""
    s = stamp(station)
    birth = birth or f"{1950 + seq % 47}{1 + seq % 12:02d}{1 + seq % 28:02d}"
    fields = {
        "id_number": make_id(birth=birth, seq=seq),
        "birth_date": dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
        "name": name or f"党{'建国志明秀英红梅'[seq % 8]}{'华平安宁'[seq % 4]}",
        "phone": f"139{seq:08d}",
        "created_by": by,
        "hukou_division_code": station.village.code,
        **s,
    }
    fields.update(kw)
    return PersonFactory(**fields)


@pytest.mark.django_db
def test_the_test_county_is_clean(county):
    assert run_signals() == []


@pytest.mark.django_db
def test_sequential_ids_of_one_collector(county):
    by = county.a.users["collector"]
    run = [person(county.a, seq, birth="19900505", by=by) for seq in (11, 13, 15, 17)]
    twins = [person(county.a, seq, birth="20150601", by=by) for seq in (21, 23)]
    found = run_signals()
    assert all("person.id_sequential" in rules_on(found, "registry.person", p.pk) for p in run)
    assert not any(rules_on(found, "registry.person", p.pk) for p in twins)
    f = next(f for f in found if f.record_id == run[0].pk)
    assert f.category == "fake_id_pattern" and f.collector_id == by.pk


@pytest.mark.django_db
def test_a_phone_on_strangers_and_a_family_phone(county):
    by = county.a.users["collector"]
    strangers = [
        lives(person(county.a, 100 + i, name=n, phone="13800001111", by=by), new_house(county.a), county.a)
        for i, n in enumerate(("王建国", "李秀英", "张志明", "刘红梅"))
    ]
    home = new_house(county.a)
    family = [
        lives(person(county.a, 200 + i, name=n, phone="13900002222", by=by), home, county.a)
        for i, n in enumerate(("党建国", "雷秀英", "党小红"))
    ]
    grandpa = lives(
        person(county.a, 210, name="党福生", phone="13900002222", by=by), new_house(county.a), county.a
    )
    found = run_signals()
    assert all(rules_on(found, "registry.person", p.pk) == {"person.shared_phone"} for p in strangers)
    assert not any(rules_on(found, "registry.person", p.pk) for p in [*family, grandpa])
    evidence = next(f.evidence for f in found if f.record_id == strangers[0].pk)
    assert evidence["phone"] == "138****1111"


@pytest.mark.django_db
def test_placeholder_names_of_people_houses_and_units(county):
    fake = person(county.a, 301, name="张三")
    real = person(county.a, 303, name="张三丰")
    house = new_house(county.a, owner_name="不详")
    found = run_signals()
    assert rules_on(found, "registry.person", fake.pk) == {"person.placeholder_name"}
    assert rules_on(found, "registry.person", real.pk) == set()
    assert rules_on(found, "registry.house", house.pk) == {"house.placeholder_owner"}


@pytest.mark.django_db
def test_a_household_born_on_one_day_and_twins(county):
    invented = new_house(county.a)
    members = [lives(person(county.a, 401 + 2 * i, birth="19850303"), invented, county.a) for i in range(3)]
    home = new_house(county.a)
    parents = [
        lives(person(county.a, 411, birth="19800202"), home, county.a),
        lives(person(county.a, 412, birth="19820709"), home, county.a),
    ]
    twins = [lives(person(county.a, seq, birth="20150601"), home, county.a) for seq in (421, 423)]
    found = run_signals()
    assert all(
        rules_on(found, "registry.person", p.pk) == {"person.household_same_birthdate"} for p in members
    )
    assert not any(rules_on(found, "registry.person", p.pk) for p in [*parents, *twins])


@pytest.mark.django_db
def test_impossible_speed_and_a_normal_pace(county):
    fast, steady = county.a.users["collector"], county.b.users["collector"]
    burst = [person(county.a, 501 + 2 * i, by=fast, created_at=local(3, 10, 0, 9 * i)) for i in range(6)]
    normal = [
        person(county.b, 601 + 2 * i, by=steady, created_at=local(3, 9) + dt.timedelta(minutes=7 * i))
        for i in range(20)
    ]
    found = run_signals()
    assert all(rules_on(found, "registry.person", p.pk) == {"collector.speed_burst"} for p in burst)
    assert not any(rules_on(found, "registry.person", p.pk) for p in normal)


@pytest.mark.django_db
def test_records_a_submission_created_are_timed_by_the_submission(county):
    """The reviewer's pass creates the records in one go; that is not the collector's speed."""
    officer, collector = county.a.users["officer"], county.a.users["collector"]
    people = [person(county.a, 701 + 2 * i, by=officer, created_at=local(3, 10, 0, 5 * i)) for i in range(6)]
    house = new_house(county.a)
    sub = submission(county.a, collector, house=house, started=local(2, 10))
    for p in people:
        SubmissionEffect.objects.create(
            submission=sub, record_type="registry.person", record_id=p.pk, action="create"
        )
    found = run_signals()
    assert not any(rules_on(found, "registry.person", p.pk) for p in people)


@pytest.mark.django_db
def test_a_night_burst_and_evening_work(county):
    night_owl, evening = county.a.users["collector"], county.b.users["collector"]
    night = [person(county.a, 801 + 2 * i, by=night_owl, created_at=local(4, 1, 12 * i)) for i in range(4)]
    late = [person(county.b, 851 + 2 * i, by=evening, created_at=local(4, 20, 12 * i)) for i in range(4)]
    found = run_signals()
    assert all(rules_on(found, "registry.person", p.pk) == {"collector.night_burst"} for p in night)
    assert not any(rules_on(found, "registry.person", p.pk) for p in late)


def submission(
    station, collector, *, house, started, seconds=420, note="", lat=None, lng=None, accuracy=None, **kw
):
    door = house.address.parent or house.address
    payload = {
        "door": {"id": door.pk, "version": 1},
        "house": {"id": house.pk, "version": 1},
        "persons": [],
        "visit": {"outcome": "collected", "note": ""},
        "note": note,
    }
    return Submission.objects.create(
        client_id=uuid.uuid4(),
        kind="household",
        collector=collector,
        door=door,
        payload=payload,
        payload_hash="-",
        started_at=started,
        finished_at=started + dt.timedelta(seconds=seconds),
        received_at=started + dt.timedelta(seconds=seconds + 20),
        lat=lat,
        lng=lng,
        accuracy_m=accuracy,
        **stamp(station),
        **kw,
    )


@pytest.mark.django_db
def test_households_collected_in_seconds_and_at_a_human_pace(county):
    fast, honest = county.a.users["collector"], county.b.users["collector"]
    quick = [
        submission(county.a, fast, house=new_house(county.a), started=local(5, 10, 0, 70 * i), seconds=30)
        for i in range(6)
    ]
    human = [
        submission(
            county.b, honest, house=new_house(county.b), started=local(5, 9) + dt.timedelta(minutes=14 * i)
        )
        for i in range(8)
    ]
    found = run_signals()
    for s in quick:
        assert rules_on(found, "collection.submission", s.pk) == {
            "submission.household_pace",
            "submission.fast_form",
        }
    assert not any(rules_on(found, "collection.submission", s.pk) for s in human)


@pytest.mark.django_db
def test_gps_far_from_the_door_plate(county):
    by = county.a.users["collector"]
    far = submission(
        county.a,
        by,
        house=new_house(county.a),
        started=local(6, 10),
        lat=Decimal("35.2680000"),
        lng=Decimal("110.1490000"),
        accuracy=20,
    )
    near = submission(
        county.a,
        by,
        house=new_house(county.a),
        started=local(6, 11),
        lat=Decimal("35.2381000"),
        lng=Decimal("110.1491000"),
        accuracy=15,
    )
    found = run_signals()
    assert rules_on(found, "collection.submission", far.pk) == {"submission.gps_far"}
    assert rules_on(found, "collection.submission", near.pk) == set()


@pytest.mark.django_db
def test_a_remark_pasted_into_many_households(county):
    by, other = county.a.users["collector"], county.b.users["collector"]
    pasted = [
        submission(
            county.a,
            by,
            house=new_house(county.a),
            started=local(7, 9) + dt.timedelta(minutes=15 * i),
            note=LONG_NOTE,
        )
        for i in range(5)
    ]
    stock = [
        submission(
            st,
            who,
            house=new_house(st),
            started=local(8, 9) + dt.timedelta(minutes=15 * i),
            note="信息无变化",
        )
        for i in range(6)
        for st, who in ((county.a, by), (county.b, other))
    ]
    found = run_signals()
    assert all(rules_on(found, "collection.submission", s.pk) == {"submission.note_reuse"} for s in pasted)
    assert not any(rules_on(found, "collection.submission", s.pk) for s in stock)


@pytest.mark.django_db
def test_an_employer_copied_onto_strangers_and_wunong_for_farmers(county):
    a, b = county.a.users["collector"], county.b.users["collector"]
    copied = [
        lives(
            person(county.a, 901 + 2 * i, by=a, employer="合阳县鸿运建材有限公司装卸队"),
            new_house(county.a),
            county.a,
        )
        for i in range(5)
    ]
    farmers = [
        lives(person(st, base + 2 * i, by=who, occupation="务农"), new_house(st), st)
        for i in range(6)
        for st, who, base in ((county.a, a, 951), (county.b, b, 971))
    ]
    found = run_signals()
    assert all(rules_on(found, "registry.person", p.pk) == {"person.text_reuse"} for p in copied)
    assert not any(rules_on(found, "registry.person", p.pk) for p in farmers)


@pytest.mark.django_db
def test_one_photo_for_two_door_plates(county):
    by = county.a.users["collector"]
    first = submission(county.a, by, house=new_house(county.a), started=local(9, 9))
    second = submission(county.a, by, house=new_house(county.a), started=local(9, 10))
    door = AddressFactory(**stamp(county.a))
    rooms = [
        HouseFactory(
            address=AddressFactory(
                level=AddressLevel.ROOM, parent=door, room_no=str(101 + i), **stamp(county.a)
            ),
            **stamp(county.a),
        )
        for i in range(2)
    ]
    same_door = [submission(county.a, by, house=h, started=local(9, 11 + i)) for i, h in enumerate(rooms)]
    for i, (sub, sha) in enumerate(
        ((first, "a" * 64), (second, "a" * 64), (same_door[0], "b" * 64), (same_door[1], "b" * 64))
    ):
        Photo.objects.create(
            client_id=uuid.uuid4(),
            submission=sub,
            uploaded_by=by,
            uploaded_at=local(9, 12),
            path=f"x/{i}.jpg",
            content_type="image/jpeg",
            size=1000,
            sha256=sha,
            **stamp(county.a),
        )
    found = run_signals()
    assert rules_on(found, "collection.submission", first.pk) == {"submission.photo_reuse"}
    assert rules_on(found, "collection.submission", second.pk) == {"submission.photo_reuse"}
    assert not any(rules_on(found, "collection.submission", s.pk) for s in same_door)


@pytest.mark.django_db
def test_the_collector_of_a_record_is_the_one_whose_submission_created_it(county):
    officer, collector, other = (
        county.a.users["officer"],
        county.a.users["collector"],
        county.b.users["collector"],
    )
    fake = person(county.a, 981, name="测试", by=officer)  # the reviewer's pass wrote it
    made = submission(county.a, collector, house=new_house(county.a), started=local(2, 10))
    SubmissionEffect.objects.create(
        submission=made, record_type="registry.person", record_id=fake.pk, action="create"
    )
    edited = submission(county.a, other, house=new_house(county.a), started=local(3, 10))
    SubmissionEffect.objects.create(
        submission=edited, record_type="registry.person", record_id=fake.pk, action="update"
    )
    [f] = [f for f in run_signals() if f.record_id == fake.pk]
    assert f.collector_id == collector.pk


@pytest.mark.django_db
def test_text_pasted_in_later_edits_is_found_under_the_editor(county):
    """Five people entered by different hands, their domicile later overwritten by one collector."""
    paster = county.a.users["collector"]
    text = "陕西省渭南市合阳县坊镇东关村18号"
    victims = [
        lives(
            person(county.a, 61 + 2 * i, by=county.a.users[role], hukou_address_text=text, updated_by=paster),
            new_house(county.a),
            county.a,
        )
        for i, role in enumerate(("officer", "chief", "officer", "chief", "officer"))
    ]
    found = run_signals()
    assert all(rules_on(found, "registry.person", p.pk) == {"person.text_reuse"} for p in victims)
    assert {f.collector_id for f in found if f.rule == "person.text_reuse"} == {paster.pk}


@pytest.mark.django_db
def test_findings_keep_to_the_police_prefix_and_skip_single_record_checks(county):
    a = person(county.a, 991, name="张三")
    b = person(county.b, 993, name="李四")
    found = run_signals(police_prefix=county.a.district.prefix)
    assert rules_on(found, "registry.person", a.pk) and not rules_on(found, "registry.person", b.pk)
    assert run_signals(records={"registry.person": {a.pk}}) == []


@pytest.mark.django_db
def test_rules_can_be_switched_off_and_tuned(county):
    by = county.a.users["collector"]
    fake = person(county.a, 995, name="无")
    group = [
        lives(person(county.a, 31 + 2 * i, name=n, phone="13800007777", by=by), new_house(county.a), county.a)
        for i, n in enumerate(("王建国", "李秀英", "张志明"))
    ]
    RuleSetting.objects.create(code="person.placeholder_name", enabled=False)
    RuleSetting.objects.create(code="person.shared_phone", params={"min_families": 4})
    settings = {s.code: {"enabled": s.enabled, "params": s.params} for s in RuleSetting.objects.all()}
    found = run_signals(settings=settings)
    assert not rules_on(found, "registry.person", fake.pk)
    assert not any(rules_on(found, "registry.person", p.pk) for p in group)


@pytest.mark.django_db
def test_records_by_collector_counts_what_each_one_collected(county):
    by = county.a.users["collector"]
    for i in range(3):
        person(county.a, 41 + 2 * i, by=by)
    officer_made = person(county.a, 51, by=county.a.users["officer"])
    sub = submission(county.a, by, house=new_house(county.a), started=local(2, 10))
    SubmissionEffect.objects.create(
        submission=sub, record_type="registry.person", record_id=officer_made.pk, action="create"
    )
    counts = signals.records_by_collector()
    assert counts[by.pk] == 4
    assert county.a.users["officer"].pk not in counts
    assert Person.objects.filter(created_by=by).count() == 3
