"""Every read of a person, every search and every export writes an audit entry — web and API."""

from __future__ import annotations

import pytest

from ybss.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _one_new_event(before: int) -> AuditEvent:
    events = list(AuditEvent.objects.filter(id__gt=before).order_by("id"))
    assert events, "no audit event written"
    return events[-1]


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _cases(county):
    p = county.a.person
    return [
        ("web person detail", "get", f"/persons/{p.pk}/", {}, "read", "registry.person"),
        ("web person search", "get", "/persons/", {"q": p.name}, "search", "registry.person"),
        ("web person list", "get", "/persons/", {}, "read", "registry.person"),
        (
            "web person export",
            "post",
            f"/persons/export/?q={p.name}",
            {"format": "csv"},
            "export",
            "registry.person",
        ),
        ("web address export", "post", "/addresses/export/", {"format": "xlsx"}, "export", None),
        ("web house export", "post", "/houses/export/", {}, "export", None),
        ("web unit export", "post", "/units/export/", {"format": "csv"}, "export", None),
        ("api person detail", "get", f"/api/persons/{p.pk}", {}, "read", "registry.person"),
        ("api person search", "get", "/api/persons", {"q": p.name}, "search", "registry.person"),
        ("api person list", "get", "/api/persons", {}, "read", "registry.person"),
    ]


@pytest.mark.parametrize("index", range(10))
def test_each_person_read_search_and_export_is_audited(county, client_for, index):
    name, method, url, params, action, object_type = _cases(county)[index]
    user = county.a.users["officer"]
    before = _last_id()
    resp = getattr(client_for(user), method)(url, params)
    # an export starts a job (run inline in the tests) and redirects to its page
    assert resp.status_code == (302 if "export" in name else 200), name
    ev = _one_new_event(before)
    assert (ev.actor_id, ev.action) == (user.pk, action), name
    if object_type:
        assert ev.object_type == object_type, name
    if "detail" in name:
        assert ev.object_id == str(county.a.person.pk)
    if "export" in name:  # one export event per export
        assert AuditEvent.objects.filter(id__gt=before, action="export").count() == 1, name
    assert ev.channel == ("api" if name.startswith("api") else "web")


def test_investigator_purpose_is_recorded(county, client_for):
    before = _last_id()
    client_for(county.users["investigator"]).get("/api/persons", {"q": "王", "purpose": "案件侦查 2026-118"})
    ev = _one_new_event(before)
    assert (ev.action, ev.purpose) == ("search", "案件侦查 2026-118")


def test_out_of_scope_read_writes_no_read_event(county, client_for):
    before = _last_id()
    resp = client_for(county.a.users["officer"]).get(f"/persons/{county.b.person.pk}/")
    assert resp.status_code == 404
    assert not AuditEvent.objects.filter(
        id__gt=before, action="read", object_id=str(county.b.person.pk)
    ).exists()
