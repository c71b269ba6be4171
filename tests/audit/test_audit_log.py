"""The audit log: append-only in Python and in the database, hash-chained, and written on reads."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from ybss.audit.models import AuditEvent, RecordHistory
from ybss.audit.services import audit_record, history_record, verify_chain
from ybss.audit.triggers import install
from ybss.registry.selectors import PersonFilters, person_get, person_list

pytestmark = pytest.mark.django_db


def test_person_read_is_audited(county):
    user = county.a.users["officer"]
    person_get(actor=user, pk=county.a.person.pk, purpose="核查")
    ev = AuditEvent.objects.get(action="read")
    assert (ev.actor, ev.object_type, ev.object_id, ev.purpose) == (
        user,
        "registry.person",
        str(county.a.person.pk),
        "核查",
    )


def test_person_search_is_audited_with_terms(county):
    user = county.users["investigator"]
    list(person_list(actor=user, filters=PersonFilters(q="王"), purpose="案件侦查"))
    ev = AuditEvent.objects.get(action="search")
    assert ev.detail == {"q": "王"} and ev.purpose == "案件侦查"


def test_plain_listing_is_audited_as_a_read_of_the_list(county):
    list(person_list(actor=county.a.users["officer"]))
    ev = AuditEvent.objects.get()
    assert (ev.action, ev.detail) == ("read", {"list": True})


def test_investigator_search_needs_purpose(county):
    from ybss.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        person_list(actor=county.users["investigator"], filters=PersonFilters(q="王"))
    assert "purpose" in exc.value.fields and not AuditEvent.objects.exists()


def test_chain_verifies_and_detects_tampering(county):
    for i in range(3):
        audit_record(
            actor=county.a.users["officer"], action="read", object_type="registry.person", object_id=i
        )
    assert verify_chain().ok and verify_chain().checked == 3
    ev = AuditEvent.objects.order_by("id")[1]
    # Tamper behind the application's back (the test database has no triggers): the chain breaks.
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET object_id = 'x' WHERE id = %s", [ev.pk])
    report = verify_chain()
    assert not report.ok and report.broken_at == ev.pk


def test_audit_rows_refuse_update_and_delete_in_python(county):
    ev = audit_record(actor=county.a.users["officer"], action="read")
    ev.purpose = "改"
    with pytest.raises(PermissionError):
        ev.save()
    with pytest.raises(PermissionError):
        ev.delete()


@pytest.mark.parametrize("sql", ["UPDATE {t} SET action = 'x'", "DELETE FROM {t}"])
@pytest.mark.parametrize("table", ["audit_auditevent", "audit_recordhistory"])
def test_database_refuses_update_and_delete(county, sql, table):
    audit_record(actor=county.a.users["officer"], action="read")
    history_record(actor=county.a.users["officer"], record=county.a.person, action="update", changes={})
    with connection.cursor() as cur:
        install(cur, connection.vendor)  # what migration audit.0003 installs; rolled back after the test
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql.format(t=table))
    assert AuditEvent.objects.exists() and RecordHistory.objects.exists()
