"""Load the official code lists (ybss/core/data/codelists.json) into core.CodeList / core.Code.

Re-running is safe: existing codes are updated in place, codes the admin added are kept.
"""

from django.db import migrations


def load(apps, schema_editor):
    from ybss.core.data import codelists

    CodeList = apps.get_model("core", "CodeList")
    Code = apps.get_model("core", "Code")
    for lst in codelists():
        cl, _ = CodeList.objects.update_or_create(
            slug=lst["slug"],
            defaults={
                "name_zh": lst["name_zh"],
                "name_en": lst["name_en"],
                "standard": lst.get("standard", "") or "",
            },
        )
        for i, c in enumerate(lst["codes"]):
            Code.objects.update_or_create(
                codelist=cl,
                code=c["code"],
                defaults={"label_zh": c["zh"], "label_en": c["en"], "sort": i, "active": True},
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
