"""The /search/ page and GET /api/search: purpose, scope, reasons, audit."""

from __future__ import annotations

import pytest

from ybss.audit.models import AuditEvent
from ybss.search.services import search_index_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _index(county):
    search_index_rebuild()


def test_page_without_query_shows_form_and_audits_nothing(county, client_for):
    resp = client_for(county.a.users["officer"]).get("/search/")
    assert resp.status_code == 200
    assert 'name="purpose"' in resp.content.decode()
    assert not AuditEvent.objects.filter(action="search").exists()


def test_page_finds_own_person_with_reason(county, client_for, django_assert_max_num_queries):
    client = client_for(county.a.users["officer"])
    with django_assert_max_num_queries(25):
        resp = client.get("/search/", {"q": county.a.person.pinyin, "purpose": "case"})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert county.a.person.name in body
    assert f"/persons/{county.a.person.pk}/" in body
    assert AuditEvent.objects.filter(action="search", purpose__isnull=False).count() == 1


def test_page_without_purpose_is_refused(county, client_for):
    resp = client_for(county.a.users["officer"]).get("/search/", {"q": county.a.person.name})
    assert resp.status_code == 400
    assert 'class="field-error"' in resp.content.decode()
    assert county.a.person.id_number not in resp.content.decode()


@pytest.mark.parametrize("role", ["collector", "officer", "chief"])
def test_page_hides_other_station(county, client_for, role):
    other = county.b.person
    client = client_for(county.a.users[role])
    for q in (other.name, other.id_number, other.phone, other.pinyin):
        body = client.get("/search/", {"q": q, "purpose": "verify"}).content.decode()
        results = body.split('id="search-results"', 1)[1]  # the box echoes the query itself
        assert other.name not in results and other.id_number not in results
        assert f"/persons/{other.pk}/" not in results


def test_api_finds_own_person(county, client_for):
    resp = client_for(county.a.users["officer"]).get(
        "/api/search", {"q": county.a.person.id_number, "purpose": "case"}
    )
    assert resp.status_code == 200
    data = resp.json()
    assert data["groups"][0]["hits"][0]["id"] == county.a.person.pk
    assert data["groups"][0]["hits"][0]["reasons"] == ["id_exact"]


@pytest.mark.parametrize("role", ["collector", "officer", "chief"])
def test_api_hides_other_station(county, client_for, role):
    other = county.b.person
    client = client_for(county.a.users[role])
    for q in (other.name, other.id_number, other.phone):
        resp = client.get("/api/search", {"q": q, "purpose": "case"})
        assert resp.status_code == 200
        assert resp.json()["total"] == 0


def test_api_without_purpose_is_refused(county, client_for):
    resp = client_for(county.a.users["officer"]).get("/api/search", {"q": county.a.person.name})
    assert resp.status_code == 400
    assert "purpose" in resp.json()["fields"]


def test_auditor_cannot_search(county, client_for):
    resp = client_for(county.users["auditor"]).get("/api/search", {"q": "王", "purpose": "case"})
    assert resp.status_code == 403
