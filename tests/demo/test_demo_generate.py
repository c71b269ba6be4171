"""The pure demo generator: totals, determinism, identifiers and the DOMAIN.md §4 rules."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from ybss.core.identifiers import check_credit_code, check_id_number
from ybss.demo import DEMO_LOGINS
from ybss.demo.common import REFERENCE_DATE
from ybss.demo.county import TOWN_CENTRES
from ybss.demo.gazetteer import distance_km
from ybss.demo.generate import FULL_TOTALS, RECORD_TYPES, DemoData, Totals, generate, totals_for
from ybss.demo.identity import CreditCodes
from ybss.registry.rules import (
    age_on,
    check_residence_type,
    check_unit_address_active,
    is_household_separated,
)

ROOT = Path(__file__).resolve().parents[2]
BUSINESS_TABLES = tuple(RECORD_TYPES)


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate(0.01, 1)


def rows(data: DemoData, table: str) -> list[dict]:
    t = data.tables[table]
    return [dict(zip(t.columns, r, strict=True)) for r in t.rows]


def digest(data: DemoData) -> str:
    h = hashlib.sha256()
    for name, t in data.tables.items():
        h.update(name.encode())
        h.update(repr(t.columns).encode())
        for r in t.rows:
            h.update(repr(r).encode())
    return h.hexdigest()


# -- totals ------------------------------------------------------------------------------------


def test_full_scale_totals_are_the_heyang_figures():
    assert totals_for(1) == FULL_TOTALS == Totals(146_713, 146_712, 218_711, 855)
    assert FULL_TOTALS.houses == FULL_TOTALS.addresses - 1


def test_scale_rounds_half_up_with_a_minimum_of_one():
    assert totals_for(0.01) == Totals(1467, 1467, 2187, 9)
    assert totals_for(0.3).units == 257  # 256.5 rounds up, not to even
    assert totals_for("0.3") == totals_for(0.3)
    assert totals_for(0.000001) == Totals(1, 1, 1, 1)


@pytest.mark.parametrize("scale", [0, -1, float("nan"), float("inf")])
def test_scale_must_be_positive(scale):
    with pytest.raises(ValueError):
        totals_for(scale)


def test_generated_rows_hit_the_totals(data):
    counts = data.counts()
    assert counts["addresses_standardaddress"] == 1467
    assert counts["registry_house"] == 1467
    assert counts["registry_person"] == 2187
    assert counts["registry_unit"] == 9
    assert counts["registry_residence"] == 2187


@pytest.mark.parametrize("scale", [0.00654, 0.00943])
def test_houses_are_addresses_minus_one_where_the_totals_say_so(scale):
    t = totals_for(scale)
    assert t.houses == t.addresses - 1
    counts = generate(scale, 3).counts()
    assert counts["registry_house"] == counts["addresses_standardaddress"] - 1 == t.houses


@pytest.mark.parametrize("scale", [0.000001, 0.0001, 0.002])
def test_tiny_scales_still_hit_the_totals(scale):
    t = totals_for(scale)
    counts = generate(scale, 5).counts()
    assert (
        counts["addresses_standardaddress"],
        counts["registry_house"],
        counts["registry_person"],
        counts["registry_unit"],
    ) == (t.addresses, t.houses, t.persons, t.units)


# -- determinism -------------------------------------------------------------------------------


def test_same_seed_gives_identical_rows(data):
    again = generate(0.01, 1)
    assert again.tables == data.tables
    assert digest(again) == digest(data)


def test_another_seed_gives_different_rows(data):
    other = generate(0.01, 2)
    assert other.counts()["registry_person"] == data.counts()["registry_person"]
    assert other.tables["registry_person"].rows != data.tables["registry_person"].rows
    assert other.tables["addresses_standardaddress"].rows != data.tables["addresses_standardaddress"].rows


def test_rows_do_not_depend_on_the_process_hash_seed(data):
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from tests.demo.test_demo_generate import digest;"
        "from ybss.demo.generate import generate;"
        "print(digest(generate(0.01, 1)))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, env=env, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == digest(data)


# -- identifiers -------------------------------------------------------------------------------


def test_id_numbers_are_valid_unique_and_agree_with_sex_and_birth_date(data):
    persons = rows(data, "registry_person")
    numbers = [p["id_number"] for p in persons]
    assert len(set(numbers)) == len(numbers)
    resident_ids = [p for p in persons if p["id_type"] == "111"]
    assert len(resident_ids) > 0.99 * len(persons)
    for p in resident_ids:
        check = check_id_number(
            p["id_number"],
            today=REFERENCE_DATE,
            expected_sex=p["sex"],
            expected_birth_date=date.fromisoformat(p["birth_date"]),
        )
        assert check.ok, (p["id_number"], check.findings)
        assert p["hukou_division_code"].startswith(check.region)


def test_owners_are_householders_or_landlords_or_valid_outsiders(data):
    persons = {p["id_number"] for p in rows(data, "registry_person")}
    for h in rows(data, "registry_house"):
        if h["use"] in ("self", "rented"):
            assert h["owner_id_number"] in persons
        else:  # the owner lives elsewhere: not in the registry, but a real-looking, unique number
            assert h["owner_id_number"] not in persons
            assert check_id_number(h["owner_id_number"], today=REFERENCE_DATE).ok
        if h["custodian_id_number"]:
            assert check_id_number(h["custodian_id_number"], today=REFERENCE_DATE).ok


def test_credit_codes_pass_gb32100(data):
    codes = [u["credit_code"] for u in rows(data, "registry_unit")]
    maker = CreditCodes(random.Random(1))
    codes += [
        maker.new(kind, "610524") for kind in ("91", "92", "93", "11", "12", "51", "Y1") for _ in range(300)
    ]
    assert len(set(codes)) == len(codes)
    for code in codes:
        check = check_credit_code(code)
        assert check.ok and not check.findings, code


def test_mobile_numbers_are_valid_and_unique(data):
    phones = [p["phone"] for p in rows(data, "registry_person") if p["phone"]]
    assert len(set(phones)) == len(phones)
    assert all(len(n) == 11 and n[0] == "1" and n[1] in "3456789" for n in phones)


# -- the rules of DOMAIN.md §4 ---------------------------------------------------------------------


def test_every_person_has_exactly_one_active_residence(data):
    residences = rows(data, "registry_residence")
    per_person = Counter(r["person_id"] for r in residences if r["active"])
    assert set(per_person.values()) == {1}
    assert len(per_person) == data.counts()["registry_person"]
    permanent = Counter(
        r["person_id"] for r in residences if r["active"] and r["residence_type"] == "permanent"
    )
    assert max(permanent.values()) == 1


def test_residence_types_fit_the_hukou_and_separation_is_derived(data):
    persons = {p["id"]: p for p in rows(data, "registry_person")}
    houses = {h["id"]: h for h in rows(data, "registry_house")}
    types = Counter()
    for r in rows(data, "registry_residence"):
        p = persons[r["person_id"]]
        house = houses[r["house_id"]]
        types[r["residence_type"]] += 1
        assert not check_residence_type(r["residence_type"], p["hukou_division_code"], "610524")
        if r["residence_type"] == "lodging":
            assert p["hukou_division_code"].startswith("610524")
        if r["residence_type"] == "floating":
            assert p["hukou_division_code"] and not p["hukou_division_code"].startswith("610524")
        assert r["separated"] == is_household_separated(p["hukou_division_code"], house["division_id"])
        assert r["division_id"] == p["division_id"] == house["division_id"]
        assert r["police_unit_id"] == p["police_unit_id"] == house["police_unit_id"]
    assert types["permanent"] > types["floating"] > 0 and types["lodging"] > 0


def test_inflow_and_separated_people_are_15_to_25_per_cent(data):
    residences = rows(data, "registry_residence")
    share = sum(1 for r in residences if r["separated"] or r["residence_type"] == "floating") / len(
        residences
    )
    assert 0.15 <= share <= 0.25


def test_rented_houses_have_an_adult_landlord_who_is_a_resident(data):
    persons = {p["id"]: p for p in rows(data, "registry_person")}
    houses = rows(data, "registry_house")
    rented = [h for h in houses if h["use"] == "rented"]
    assert rented
    tenants = Counter()
    for r in rows(data, "registry_residence"):
        if r["is_tenant"]:
            tenants[r["house_id"]] += 1
            assert r["landlord_id"] == next(h for h in rented if h["id"] == r["house_id"])["landlord_id"]
    for h in rented:
        landlord = persons[h["landlord_id"]]
        assert age_on(date.fromisoformat(landlord["birth_date"]), REFERENCE_DATE) >= 18
        assert h["owner_id_number"] == landlord["id_number"]
        assert tenants[h["id"]] > 0
    assert all(h["landlord_id"] is None for h in houses if h["use"] != "rented")


def test_units_have_adult_legal_representatives_and_2_to_30_employees(data):
    persons = {p["id"]: p for p in rows(data, "registry_person")}
    by_number = {p["id_number"]: p for p in persons.values()}
    jobs = rows(data, "registry_employment")
    for u in rows(data, "registry_unit"):
        rep = by_number[u["legal_rep_id_number"]]
        assert age_on(date.fromisoformat(rep["birth_date"]), REFERENCE_DATE) >= 18
        staff = [j["person_id"] for j in jobs if j["unit_id"] == u["id"]]
        assert 2 <= len(staff) <= 30
        assert len(set(staff)) == len(staff)
        for pid in staff:
            assert persons[pid]["police_unit_id"][:9] == u["police_unit_id"][:9]  # same station


def test_units_sit_at_door_plates_in_force(data):
    addresses = {a["id"]: a for a in rows(data, "addresses_standardaddress")}
    houses = {h["id"]: h for h in rows(data, "registry_house")}
    for u in rows(data, "registry_unit"):
        address = addresses[u["address_id"]]
        assert address["level"] == "door" and not check_unit_address_active(address["status"])
        assert (u["division_id"], u["police_unit_id"]) == (address["division_id"], address["police_unit_id"])
        assert u["house_id"] is None or houses[u["house_id"]]["address_id"] == u["address_id"]


def test_every_record_is_in_a_district_whose_station_covers_its_village(data):
    units = {u.code: u for u in data.org.police_units}
    for table in BUSINESS_TABLES:
        for r in rows(data, table):
            district = units[r["police_unit_id"]]
            assert district.kind == "district"
            assert r["division_id"] in district.division_codes
            station = units[district.parent_code]
            assert station.kind == "station" and district.code.startswith(station.prefix)
            assert r["division_id"] in station.division_codes


def test_one_create_history_row_per_business_record(data):
    history = rows(data, "audit_recordhistory")
    expected = sum(data.counts()[t] for t in BUSINESS_TABLES)
    assert len(history) == expected
    assert {h["action"] for h in history} == {"create"} and {h["reason"] for h in history} == {"demo"}
    assert {h["version"] for h in history} == {1}
    keys = {(h["record_type"], h["record_id"]) for h in history}
    assert len(keys) == len(history)
    assert ("registry.person", 1) in keys and ("addresses.standardaddress", 1) in keys


# -- addresses ---------------------------------------------------------------------------------


def test_address_codes_are_unique_short_and_rooms_hang_off_building_door_plates(data):
    addresses = {a["id"]: a for a in rows(data, "addresses_standardaddress")}
    codes = [a["code"] for a in addresses.values()]
    assert len(set(codes)) == len(codes) and max(map(len, codes)) <= 48
    rooms = [a for a in addresses.values() if a["level"] == "room"]
    assert rooms
    for room in rooms:
        door = addresses[room["parent_id"]]
        assert door["level"] == "door" and door["building"]
        assert room["code"].startswith(door["code"] + "-")
        assert room["full_name"] == f"{door['full_name']}{room['unit_no']}单元{room['room_no']}室"
        assert room["full_name"].startswith("陕西省渭南市合阳县城关街道")
        assert 1 <= room["floor"] <= 18 and room["unit_no"] in "1234"


def test_building_door_plates_hold_no_house_and_every_other_address_does(data):
    addresses = rows(data, "addresses_standardaddress")
    housed = Counter(h["address_id"] for h in rows(data, "registry_house"))
    buildings = {a["id"] for a in addresses if a["level"] == "door" and a["building"]}
    assert buildings and not buildings & set(housed)
    others = [a["id"] for a in addresses if a["id"] not in buildings]
    assert all(housed[a] >= 1 for a in others)


def test_coordinates_lie_around_heyang(data):
    seat = TOWN_CENTRES["610524001"]
    for a in rows(data, "addresses_standardaddress"):
        if a["mark_state"] == "unmarked":
            assert a["lng"] is None
            continue
        point = (float(a["lng"]), float(a["lat"]))
        assert distance_km(point, seat) < 35
        assert len(a["lng"].split(".")[1]) == 7


def test_rates_are_realistic(data):
    addresses = rows(data, "addresses_standardaddress")
    n = len(addresses)
    confirmed = sum(a["mark_state"] == "confirmed" for a in addresses) / n
    cleaned = sum(a["clean_state"] == "cleaned" for a in addresses) / n
    assert 0.75 < confirmed < 0.95 and 0.84 < cleaned < 0.92  # rooms share their building's marking
    houses = rows(data, "registry_house")
    assert 0.7 < sum(h["verify_state"] == "verified" for h in houses) / len(houses) < 0.8
    assert 0.08 < sum(h["use"] == "rented" for h in houses) / len(houses) < 0.16
    statuses = Counter(a["status"] for a in addresses)
    assert (
        statuses["accepted"] / n > 0.85 and statuses["returned"] and statuses["pending"] and statuses["draft"]
    )
    returned = [a for a in addresses if a["status"] == "returned"]
    assert all(a["status_reason"] for a in returned)


def test_timestamps_fall_in_the_collection_season(data):
    for table in BUSINESS_TABLES:
        for r in rows(data, table):
            assert "2026-09-01" <= r["created_at"] <= r["updated_at"] < "2026-11-15"
            assert r["version"] == 1 and r["source_ref"] == ""
            assert r["created_by_id"] == r["updated_by_id"]
            assert r["created_by_id"] in data.org.collectors[r["police_unit_id"]]


# -- organisation ------------------------------------------------------------------------------


def test_police_tree_has_13_stations_with_2_to_6_districts():
    data = generate(0.0001, 1)
    units = data.org.police_units
    stations = [u for u in units if u.kind == "station"]
    assert [u.name for u in units if u.kind == "county_bureau"] == ["合阳县公安局"]
    assert len(stations) == 13 and {"金水派出所", "九龙派出所", "甘井派出所"} <= {s.name for s in stations}
    for s in stations:
        assert s.code == f"6105245{s.code[7:9]}000" and s.prefix == s.code[:9]
        districts = [u for u in units if u.parent_code == s.code]
        assert 2 <= len(districts) <= 6
        assert all(d.prefix == d.code and d.code.startswith(s.prefix) for d in districts)
        assert sorted(c for d in districts for c in d.division_codes) == sorted(s.division_codes)
    villages = [c for s in stations for c in s.division_codes]
    assert len(villages) == len(set(villages)) == 224


def test_demo_logins_name_users_of_the_plan():
    users = {u.username: u for u in generate(0.0001, 1).org.users}
    for role, username in DEMO_LOGINS:
        assert users[username].role == role
    assert users["admin"].is_staff and users["auditor"].police_unit_code is None
    collectors = [u for u in users.values() if u.role == "collector"]
    assert 90 <= len(collectors) <= 110 and any(u.division_code for u in collectors)
    assert all(u.username.isascii() for u in users.values())
