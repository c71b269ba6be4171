"""The scoping policy in ybss.org.jurisdiction, model by model and role by role."""

from __future__ import annotations

import pytest

from ybss.addresses.models import StandardAddress
from ybss.core.errors import NotFound
from ybss.org import jurisdiction
from ybss.registry.models import Employment, House, Person, Residence, Unit

pytestmark = pytest.mark.django_db

MODELS = [StandardAddress, House, Person, Residence, Unit, Employment]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ["collector", "officer", "chief"])
def test_station_users_see_only_their_station(county, model, role):
    for mine, other in ((county.a, county.b), (county.b, county.a)):
        user = mine.users[role]
        codes = set(jurisdiction.scope(model.objects.all(), user).values_list("police_unit", flat=True))
        assert codes and all(c.startswith(mine.station.prefix) for c in codes)
        assert not any(c.startswith(other.station.prefix) for c in codes)


@pytest.mark.parametrize("role", ["supervisor", "investigator", "admin"])
def test_county_roles_see_the_county(county, role):
    assert jurisdiction.scope(Person.objects.all(), county.users[role]).count() == 2


@pytest.mark.parametrize("role", ["auditor", "nobody"])
def test_auditor_and_unassigned_users_see_nothing(county, role):
    for model in MODELS:
        assert not jurisdiction.scope(model.objects.all(), county.users[role]).exists()


def test_anonymous_sees_nothing(county):
    from django.contrib.auth.models import AnonymousUser

    assert not jurisdiction.scope(Person.objects.all(), AnonymousUser()).exists()


def test_out_of_scope_and_missing_raise_the_same(county):
    user = county.a.users["officer"]
    with pytest.raises(NotFound):
        jurisdiction.get_in_scope(Person.objects.all(), user, pk=county.b.person.pk)
    with pytest.raises(NotFound):
        jurisdiction.get_in_scope(Person.objects.all(), user, pk=10**9)
    with pytest.raises(NotFound):
        jurisdiction.get_in_scope(Person.objects.all(), user, pk="abc")


def test_person_visible_where_they_currently_live(county):
    """A person stamped at station b who now lives at station a is seen by a, and still by b."""
    p = county.b.person
    Residence.objects.create(
        person=p,
        house=county.a.house,
        residence_type="floating",
        active=True,
        division=county.a.village,
        police_unit=county.a.district,
        created_at=p.created_at,
        updated_at=p.created_at,
    )
    assert jurisdiction.scope(Person.objects.filter(pk=p.pk), county.a.users["officer"]).exists()
    assert jurisdiction.scope(Person.objects.filter(pk=p.pk), county.b.users["officer"]).exists()


def test_collector_scope_by_division_only(county):
    """A collector assigned only a village (no police unit) sees that village."""
    c = county.a.users["collector"]
    c.police_unit = None
    c.save()
    assert set(jurisdiction.scope(House.objects.all(), c)) == {county.a.house}


def test_masking_by_role(county):
    pid = county.a.person.id_number
    assert jurisdiction.show_id_number(county.a.users["officer"], pid) == pid
    masked = jurisdiction.show_id_number(county.a.users["collector"], pid)
    assert masked == pid[:6] + "********" + pid[-4:]
    assert jurisdiction.show_phone(county.users["supervisor"], "13912345671") == "139****5671"
