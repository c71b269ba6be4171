"""CSV exports: who may export, masking, BOM, audit event, the row cap."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from ybss.audit.models import AuditEvent
from ybss.web import exports

pytestmark = pytest.mark.django_db

EXPORTS = [
    ("web:addresses_export", "addresses.standardaddress", 2),
    ("web:houses_export", "registry.house", 1),
    ("web:persons_export", "registry.person", 1),
    ("web:units_export", "registry.unit", 1),
]


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.mark.parametrize(("name", "object_type", "count"), EXPORTS)
def test_export_writes_csv_and_audit_event(county, officer_a, name, object_type, count):
    response = officer_a.get(reverse(name), {"status": "accepted"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert len(rows) == count + 1  # header
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.object_type == object_type
    assert event.result_count == count
    assert event.detail["filters"] == {"status": "accepted"}
    assert event.actor == county.a.users["officer"]


def test_export_masks_identifiers_for_supervisor(county, client_for):
    response = client_for(county.users["supervisor"]).get(reverse("web:persons_export"))
    body = b"".join(response.streaming_content).decode()
    for person in (county.a.person, county.b.person):
        assert person.id_number not in body
        assert person.phone not in body
        assert person.id_number[:6] + "********" + person.id_number[-4:] in body


def test_export_of_units_masks_legal_rep(county, client_for):
    response = client_for(county.users["supervisor"]).get(reverse("web:units_export"))
    body = b"".join(response.streaming_content).decode()
    assert county.a.unit.legal_rep_id_number not in body
    assert county.a.unit.legal_rep_phone not in body


def test_export_is_scoped(county, officer_a):
    body = b"".join(officer_a.get(reverse("web:persons_export")).streaming_content).decode()
    assert county.a.person.name in body
    assert county.b.person.name not in body


@pytest.mark.parametrize("role", ["collector", "auditor"])
def test_roles_without_export_are_refused(county, client_for, role):
    user = county.a.users.get(role) or county.users[role]
    response = client_for(user).get(reverse("web:persons_export"))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_collector_sees_no_export_button(county, client_for):
    html = client_for(county.a.users["collector"]).get(reverse("web:persons")).content.decode()
    assert reverse("web:persons_export") not in html


def test_export_with_bad_filter_is_400_not_500(officer_a):
    response = officer_a.get(reverse("web:persons_export"), {"separated": "maybe"})
    assert response.status_code == 400
    assert "separated" in response.context["form"].errors
    assert not AuditEvent.objects.filter(action="export").exists()


def test_investigator_export_of_a_search_needs_purpose(county, client_for):
    client = client_for(county.users["investigator"])
    assert client.get(reverse("web:persons_export"), {"q": "王"}).status_code == 400
    response = client.get(reverse("web:persons_export"), {"q": "王", "purpose": "协查通报 12 号"})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="export").latest("id").purpose == "协查通报 12 号"


def test_export_over_the_cap_is_refused_with_a_message(county, officer_a, monkeypatch):
    monkeypatch.setattr("ybss.web.views.lists.EXPORT_CAP", 1)
    response = officer_a.get(reverse("web:addresses_export"), {"status": "accepted"}, follow=True)
    assert response.redirect_chain[0][0] == reverse("web:addresses") + "?status=accepted"
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not AuditEvent.objects.filter(action="export").exists()


def test_export_cap_is_fifty_thousand():
    assert exports.EXPORT_CAP == 50_000
