"""The audit-log page: auditor only, filters with field errors, the chain check."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ybss.audit.models import AuditEvent
from ybss.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(county, client_for):
    return client_for(county.users["auditor"])


def test_auditor_sees_events(county, auditor):
    audit_record(
        actor=county.a.users["officer"], action="search", object_type="registry.person", purpose="核查"
    )
    response = auditor.get(reverse("web:audit"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == AuditEvent.objects.count()
    assert "officer_a" in response.content.decode()


@pytest.mark.parametrize("role", ["officer", "chief"])
def test_business_roles_cannot_read_audit_log(county, client_for, role):
    assert client_for(county.a.users[role]).get(reverse("web:audit")).status_code == 403


def test_filters_by_user_action_and_date(county, auditor):
    audit_record(actor=county.a.users["officer"], action="search", object_type="registry.person")
    audit_record(actor=county.b.users["officer"], action="export", object_type="registry.unit")
    response = auditor.get(reverse("web:audit"), {"user": "officer_b", "action": "export"})
    events = list(response.context["page"].object_list)
    assert [e.actor_name for e in events] == ["officer_b"]
    far = auditor.get(reverse("web:audit"), {"date_from": "2001-01-01", "date_to": "2001-01-02"})
    assert far.context["page"].paginator.count == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_to": "2026-02-30"}, "date_to"),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_to"),
        ({"action": "delete"}, "action"),
        ({"object_type": "org.user"}, "object_type"),
    ],
)
def test_bad_filters_are_field_errors(auditor, query, field):
    response = auditor.get(reverse("web:audit"), query)
    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_bad_page_is_not_an_error(auditor):
    assert auditor.get(reverse("web:audit"), {"page": "x"}).status_code == 200


def test_verify_chain_reports_intact(county, auditor):
    audit_record(actor=county.a.users["officer"], action="search")
    response = auditor.post(reverse("web:audit_verify"))
    assert response.status_code == 200
    chain = response.context["chain"]
    assert chain.ok and chain.checked == AuditEvent.objects.count()


def test_verify_chain_needs_post_and_auditor(county, auditor, client_for):
    assert auditor.get(reverse("web:audit_verify")).status_code == 405
    assert client_for(county.a.users["chief"]).post(reverse("web:audit_verify")).status_code == 403


def test_audit_page_query_count_is_bounded(county, auditor, django_assert_max_num_queries):
    for _ in range(80):
        audit_record(
            actor=county.a.users["officer"], action="read", object_type="registry.person", object_id=1
        )
    with django_assert_max_num_queries(6):
        assert auditor.get(reverse("web:audit")).status_code == 200
