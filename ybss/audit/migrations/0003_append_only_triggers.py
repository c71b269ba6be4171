"""Make the audit log and record history append-only in the database itself."""

from django.conf import settings
from django.db import migrations


def forwards(apps, schema_editor):
    if not getattr(settings, "YBSS_AUDIT_DB_TRIGGERS", True):
        return
    from ybss.audit.triggers import install_sql

    for stmt in install_sql(schema_editor.connection.vendor):
        schema_editor.execute(stmt, params=None)


def backwards(apps, schema_editor):
    from ybss.audit.triggers import uninstall_sql

    for stmt in uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(stmt, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
