"""Notices through the API: scoped to the addressed police unit, marked read once."""

from __future__ import annotations

import pytest

from ybss.org.models import Notice

pytestmark = pytest.mark.django_db


def _notice(county) -> Notice:
    return Notice.objects.create(
        police_unit=county.b.district,
        from_unit=county.a.district,
        kind="person_elsewhere",
        record_type="registry.person",
        record_id=county.b.person.pk,
    )


def test_notices_are_seen_by_the_addressed_unit_only(county, client_for):
    n = _notice(county)
    mine = client_for(county.b.users["officer"]).get("/api/notices").json()
    assert [x["id"] for x in mine] == [n.pk] and mine[0]["from_unit"] == county.a.district.code
    assert client_for(county.a.users["officer"]).get("/api/notices").json() == []


def test_mark_read(county, client_for):
    n = _notice(county)
    assert client_for(county.a.users["officer"]).post(f"/api/notices/{n.pk}/read").status_code == 404
    c = client_for(county.b.users["officer"])
    assert c.post(f"/api/notices/{n.pk}/read").status_code == 204
    assert c.get("/api/notices", {"unread": "true"}).json() == []
    assert c.post("/api/notices/abc/read").status_code in (400, 404)
