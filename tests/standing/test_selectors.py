"""The standing lists' selectors: each returns its planted records and not the others."""

from __future__ import annotations

import pytest

from tests.standing import plant
from ybss.core.errors import InvalidInput, NotFound
from ybss.registry.standing import STANDING_LISTS, StandingFilters, standing_counts, standing_rows, to_rows

pytestmark = pytest.mark.django_db


def ids(actor, code, **kw):
    _spec, _values, qs = standing_rows(actor=actor, code=code, **kw)
    return set(qs.values_list("pk", flat=True))


def person_ids(actor, code, **kw):
    spec, _values, qs = standing_rows(actor=actor, code=code, **kw)
    return {r.record_id for r in to_rows(spec, qs, actor)}


def test_registry_names_every_list():
    assert set(STANDING_LISTS) == {
        "inflow_rentals",
        "separated",
        "visa_expiring",
        "special_units",
        "overcrowded",
        "unfiled_rentals",
    }


def test_inflow_rentals_lists_floating_residents_of_rented_houses(county):
    a = county.a
    rented = plant.house(a, use="rented", rental_filing_no="备2026-1")
    own = plant.house(a, use="self")
    wanted = plant.resident(a, rented, "floating")
    plant.resident(a, rented, "lodging")
    plant.resident(a, own, "floating")
    plant.resident(a, rented, "floating", active=False)
    assert person_ids(a.users["officer"], "inflow_rentals") == {wanted.pk}


def test_separated_lists_current_separated_residences(county):
    a = county.a
    h = plant.house(a)
    wanted = plant.resident(a, h, "lodging", separated=True)
    plant.resident(a, h, "floating", separated=True, active=False)
    plant.resident(a, h, "lodging", separated=False)
    assert person_ids(a.users["officer"], "separated") == {wanted.pk}


def test_visa_expiring_uses_thirty_days_by_default(county):
    a = county.a
    soon = plant.foreigner(a, days=10)
    later = plant.foreigner(a, days=40)
    plant.foreigner(a, days=-1)
    plant.foreigner(a, days=5, nationality="CHN")
    officer = a.users["officer"]
    assert ids(officer, "visa_expiring") == {soon.pk}
    assert ids(officer, "visa_expiring", params={"days": "60"}) == {soon.pk, later.pk}


@pytest.mark.parametrize("days", ["0", "366", "abc", "1e3", "-5", "３０"])
def test_visa_days_out_of_range_is_a_field_error(county, days):
    with pytest.raises(InvalidInput) as exc:
        standing_rows(actor=county.a.users["officer"], code="visa_expiring", params={"days": days})
    assert exc.value.code == "invalid_parameter"
    assert set(exc.value.fields) == {"days"}


def test_bad_hierarchy_prefix_is_a_field_error(county):
    from ybss.registry.standing import standing_filters

    with pytest.raises(InvalidInput) as exc:
        standing_filters({"police_unit": "61a", "division": "1"})
    assert set(exc.value.fields) == {"police_unit", "division"}


def test_unknown_list_is_not_found(county):
    with pytest.raises(NotFound):
        standing_rows(actor=county.a.users["officer"], code="nope")


def test_special_units_come_with_their_current_employees(county):
    a = county.a
    hotel = plant.unit(a, special_trade="hotel")
    hazardous = plant.unit(a, hazards=["explosive"])
    worker, former = plant.person(a), plant.person(a)
    plant.employ(a, hotel, worker)
    plant.employ(a, hotel, former, active=False)
    officer = a.users["officer"]
    assert ids(officer, "special_units") == {hotel.pk, hazardous.pk}
    spec, _values, qs = standing_rows(actor=officer, code="special_units")
    rows = {r.record_id: r for r in to_rows(spec, qs, officer)}
    assert [c["name"] for c in rows[hotel.pk].children] == [worker.name]
    assert rows[hazardous.pk].children == []


def test_overcrowded_houses_by_count_rooms_and_area(county):
    a = county.a
    many = plant.house(a, rooms=None, area=None)
    for _ in range(11):
        plant.resident(a, many)
    small_rooms = plant.house(a, rooms=1, area=None)
    for _ in range(3):
        plant.resident(a, small_rooms)
    small_area = plant.house(a, rooms=None, area=10)
    for _ in range(3):
        plant.resident(a, small_area)
    roomy = plant.house(a, rooms=4, area=120)
    for _ in range(3):
        plant.resident(a, roomy)
    ended = plant.house(a, rooms=1, area=None)
    for _ in range(3):
        plant.resident(a, ended, active=False)
    officer = a.users["officer"]
    assert ids(officer, "overcrowded") == {many.pk, small_rooms.pk, small_area.pk}
    assert (
        ids(officer, "overcrowded", params={"max_residents": "20", "per_room": "5", "min_area": "1"}) == set()
    )


def test_unfiled_rentals_are_rented_houses_without_filing_number(county):
    a = county.a
    unfiled = plant.house(a, use="rented", rental_filing_no="")
    plant.house(a, use="rented", rental_filing_no="备2026-9")
    plant.house(a, use="self")
    assert ids(a.users["officer"], "unfiled_rentals") == {unfiled.pk}


def test_filters_by_either_hierarchy(county):
    a, b = county.a, county.b
    ha = plant.house(a, use="rented")
    hb = plant.house(b, use="rented")
    sup = county.users["supervisor"]
    assert ids(sup, "unfiled_rentals") == {ha.pk, hb.pk}
    assert ids(sup, "unfiled_rentals", filters=StandingFilters(police_unit="610524501")) == {ha.pk}
    assert ids(sup, "unfiled_rentals", filters=StandingFilters(division="610524101")) == {hb.pk}


def test_chief_sees_no_other_station_rows(county):
    a, b = county.a, county.b
    plant.house(b, use="rented")
    plant.foreigner(b, days=3)
    hb = plant.house(b, use="rented")
    plant.resident(b, hb, "floating", separated=True)
    chief = a.users["chief"]
    for code in STANDING_LISTS:
        assert ids(chief, code) == set(), code
    assert all(c.count == 0 for c in standing_counts(actor=chief) if c.spec.code != "special_units")


def test_rows_mask_identifiers_for_a_role_without_full_identifiers(county):
    a = county.a
    f = plant.foreigner(a, days=3, id_number="E12345678", phone="13812345678")
    spec, _values, qs = standing_rows(actor=county.users["supervisor"], code="visa_expiring")
    [row] = to_rows(spec, qs, county.users["supervisor"])
    assert row.record_id == f.pk
    assert row.cells["phone"] != "13812345678" and "*" in row.cells["phone"]
    spec, _values, qs = standing_rows(actor=a.users["chief"], code="visa_expiring")
    [row] = to_rows(spec, qs, a.users["chief"])
    assert row.cells["phone"] == "13812345678"


def test_reading_a_list_is_audited(county):
    from ybss.audit.models import AuditEvent

    standing_rows(actor=county.a.users["officer"], code="separated", purpose="走访核查")
    ev = AuditEvent.objects.order_by("-id").first()
    assert (ev.action, ev.object_type, ev.purpose) == ("search", "standing.separated", "走访核查")
