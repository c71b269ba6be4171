"""The import upload form (the shape of the upload: kind, file type, size, options).

What the rows say is the importer's business (``transfer.importing``), checked in the job.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from ybss.jobs.services import IMPORT_SUFFIXES

from .filters import BaseForm

#: The four kinds of record a file can hold, as the pages name them.
KIND_LABELS: dict[str, Any] = {
    "addresses": _("Standard addresses"),
    "houses": _("Actual houses"),
    "persons": _("Actual population"),
    "units": _("Actual units"),
}


def max_upload_mb() -> int:
    return int(getattr(settings, "YBSS_IMPORT_MAX_MB", 100))


class ImportForm(BaseForm):
    kind = forms.ChoiceField(label=_("The file holds"), choices=list(KIND_LABELS.items()))
    file = forms.FileField(
        label=_("File"),
        widget=forms.FileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}),
        error_messages={"required": _("Choose the file to import.")},
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and write nothing"),
        required=False,
    )
    good_rows = forms.BooleanField(
        label=_("Import only the correct rows"),
        required=False,
        help_text=_(
            "Without this, one wrong row rejects the whole file. With it, the correct rows are "
            "written and the wrong ones come back in a file to correct and import again."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "csv (UTF-8 or GBK), xlsx or xls, at most %(mb)s MB. Use the templates below."
        ) % {"mb": max_upload_mb()}

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in IMPORT_SUFFIXES:
            raise forms.ValidationError(_("Only csv, xlsx and xls files can be imported."), code="file_type")
        limit = max_upload_mb() * 1024 * 1024
        if (upload.size or 0) > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s MB; at most %(max)s MB can be imported at once. "
                    "Split it into smaller files."
                ),
                code="file_size",
                params={"size": f"{(upload.size or 0) / 1024 / 1024:.1f}", "max": max_upload_mb()},
            )
        return upload
