"""The county admin's boundary upload form: shape only; ``services.boundary_save`` checks the rest
(the field names are the service's, so its field errors land next to the right input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import CoordSystem
from ybss.mapping.services import MAX_FILE_BYTES

from .filters import BaseForm, set_choices


class BoundaryUploadForm(BaseForm):
    """边界上传 → ``boundary_save``: one GeoJSON file for one division or one police unit."""

    division_code = forms.ChoiceField(label=_("Division"), required=False, choices=[])
    police_unit_code = forms.ChoiceField(
        label=_("Police unit"),
        required=False,
        choices=[],
        help_text=_("Choose a division or a police unit, not both."),
    )
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_("A Polygon or MultiPolygon (several polygons are merged), at most 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".geojson,.json,application/geo+json,application/json"}
        ),
    )
    system = forms.ChoiceField(
        label=_("Drawn in coordinate system"),
        choices=CoordSystem.choices,
        initial=CoordSystem.WGS84,
        help_text=_("GeoJSON is normally WGS-84; boundaries traced on Amap or Tencent maps are GCJ-02."),
    )
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    def __init__(
        self, *args: Any, divisions: list[tuple[str, str]], units: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        set_choices(self.fields["division_code"], blank + divisions)
        set_choices(self.fields["police_unit_code"], blank + units)

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(n)s MB.") % {"n": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload.read()


class BoundaryDeleteForm(BaseForm):
    """Remove one boundary (its id comes from the list on the same page)."""

    delete = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
