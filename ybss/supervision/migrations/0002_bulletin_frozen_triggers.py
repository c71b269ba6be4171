"""Freeze issued bulletins in the database itself (see ybss/supervision/triggers.py)."""

from django.conf import settings
from django.db import migrations


def forwards(apps, schema_editor):
    if not getattr(settings, "YBSS_AUDIT_DB_TRIGGERS", True):
        return
    from ybss.supervision.triggers import install_sql

    for stmt in install_sql(schema_editor.connection.vendor):
        schema_editor.execute(stmt, params=None)


def backwards(apps, schema_editor):
    from ybss.supervision.triggers import uninstall_sql

    for stmt in uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(stmt, params=None)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
