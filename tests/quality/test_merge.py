"""Merging duplicate persons and units: references moved with history, the duplicate voided."""

from __future__ import annotations

import pytest

from tests.factories import HouseFactory, PersonFactory, ResidenceFactory, UnitFactory, make_id
from ybss.audit.models import RecordHistory
from ybss.core.errors import Forbidden, InvalidInput
from ybss.quality.merge import person_merge, unit_merge
from ybss.registry.models import Employment, Person, Residence

pytestmark = pytest.mark.django_db


def test_person_merge_moves_residences_and_employments_and_voids_the_duplicate(county):
    s = {"division": county.a.village, "police_unit": county.a.district}
    keep = county.a.person
    dup = PersonFactory(id_number=make_id(seq=7), name="王a铭", phone="13800000007", **s)
    other_house = HouseFactory(address=county.a.door, **s)
    moved = ResidenceFactory(person=dup, house=other_house, residence_type="lodging", **s)
    twin = ResidenceFactory(person=dup, house=county.a.house, residence_type="lodging", **s)
    job = Employment.objects.create(
        person=dup,
        unit=UnitFactory(address=county.a.door, **s),
        post="会计",
        created_at=keep.created_at,
        updated_at=keep.created_at,
        **s,
    )
    out = person_merge(
        actor=county.a.users["officer"], survivor_id=keep.pk, duplicate_id=dup.pk, reason="同一人"
    )
    moved.refresh_from_db()
    twin.refresh_from_db()
    job.refresh_from_db()
    dup.refresh_from_db()
    assert moved.person_id == keep.pk and job.person_id == keep.pk
    assert twin.status == "voided"  # the survivor already lives in that house
    assert dup.status == "voided" and "同一人" in dup.status_reason
    assert "王a铭" in out.former_names
    assert RecordHistory.objects.filter(
        record_type="registry.residence", record_id=moved.pk, action="merge"
    ).exists()
    assert Residence.objects.filter(person=keep, active=True).exclude(status="voided").count() == 2


def test_merge_needs_a_reason_and_a_reviewing_role(county):
    dup = PersonFactory(id_number=make_id(seq=9), division=county.a.village, police_unit=county.a.district)
    with pytest.raises(InvalidInput):
        person_merge(
            actor=county.a.users["officer"], survivor_id=county.a.person.pk, duplicate_id=dup.pk, reason=""
        )
    with pytest.raises(Forbidden):
        person_merge(
            actor=county.a.users["collector"], survivor_id=county.a.person.pk, duplicate_id=dup.pk, reason="x"
        )
    assert Person.objects.get(pk=dup.pk).status == "accepted"


def test_unit_merge(county):
    s = {"division": county.a.village, "police_unit": county.a.district}
    dup = UnitFactory(address=county.a.door, name="金水商店（重复）", credit_code="", **s)
    Employment.objects.create(
        person=PersonFactory(id_number=make_id(seq=11), **s),
        unit=dup,
        created_at=dup.created_at,
        updated_at=dup.created_at,
        **s,
    )
    unit_merge(
        actor=county.a.users["chief"], survivor_id=county.a.unit.pk, duplicate_id=dup.pk, reason="同一家店"
    )
    dup.refresh_from_db()
    assert dup.status == "voided"
    assert Employment.objects.filter(unit=county.a.unit).count() == 2
