import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ybss.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_audit_verify_passes_then_fails_after_tampering(county, capsys):
    for _ in range(3):
        audit_record(actor=county.a.users["officer"], action="read")
    call_command("audit_verify")
    assert "3" in capsys.readouterr().out
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE audit_auditevent SET purpose = 'x' WHERE id = (SELECT MAX(id) FROM audit_auditevent)"
        )
    with pytest.raises(CommandError):
        call_command("audit_verify")
