"""Field and rule checks shared by the registry services (and, later, imports).

Each ``validate_*`` adds field-level messages to a ``FieldErrors``; services raise it. Warnings
(an unknown region code, a credit code failing its check) are returned, not raised.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.core import codes
from ybss.core.data import known_region_codes
from ybss.core.errors import FieldErrors
from ybss.core.findings import Finding
from ybss.core.identifiers import check_credit_code, check_id_number, check_phone, normalize_phone

REQUIRED = _("This field is required.")


def today() -> date:
    return timezone.localdate()


def require(errors: FieldErrors, data: Any, *fields: str) -> None:
    for f in fields:
        v = getattr(data, f)
        if v is None or (isinstance(v, str) and not v.strip()):
            errors.add(f, REQUIRED)


def check_code(
    errors: FieldErrors, field: str, slug: str, value: str | None, *, required: bool = False
) -> None:
    """``value`` must be an active code of list ``slug`` (empty allowed unless required)."""
    if not value:
        if required:
            errors.add(field, REQUIRED)
        return
    if not codes.is_valid(slug, value):
        errors.add(field, _("“%(value)s” is not a valid choice.") % {"value": value})


def check_id(
    errors: FieldErrors,
    field: str,
    value: str | None,
    *,
    id_type: str = "111",
    sex: str | None = None,
    birth_date: date | None = None,
    required: bool = False,
) -> tuple[str, list[Finding]]:
    """Validate a document number; returns the normalised value and the warnings."""
    if not value or not value.strip():
        if required:
            errors.add(field, REQUIRED)
        return "", []
    if id_type not in ("111", "112"):
        v = value.strip().upper()
        if len(v) > 32:
            errors.add(field, _("Ensure this value has at most %(n)d characters.") % {"n": 32})
        return v, []
    res = check_id_number(
        value,
        today=today(),
        known_regions=known_region_codes(),
        expected_sex=sex if sex in ("1", "2") else None,
        expected_birth_date=birth_date,
    )
    for f in res.findings:
        if f.severity == "error":
            errors.add(field, f.message)
    return res.value, [f for f in res.findings if f.severity == "warning"]


def check_phone_field(errors: FieldErrors, field: str, value: str | None) -> str:
    if not value or not value.strip():
        return ""
    for f in check_phone(value):
        if f.severity == "error":
            errors.add(field, f.message)
    return normalize_phone(value)


def check_credit(errors: FieldErrors, field: str, value: str | None) -> tuple[str, list[Finding]]:
    if not value or not value.strip():
        return "", []
    res = check_credit_code(value)
    for f in res.findings:
        if f.severity == "error":
            errors.add(field, f.message)
    return res.value, [f for f in res.findings if f.severity == "warning"]


def check_date_not_future(errors: FieldErrors, field: str, value: date | None) -> None:
    if value and value > today():
        errors.add(field, _("The date cannot be in the future."))


def check_range(
    errors: FieldErrors, field: str, value: int | Decimal | float | None, lo: float, hi: float
) -> None:
    if value is not None and not (lo <= float(value) <= hi):
        errors.add(field, _("Enter a value between %(lo)s and %(hi)s.") % {"lo": lo, "hi": hi})


def check_length(errors: FieldErrors, data: Any, limits: dict[str, int]) -> None:
    for f, n in limits.items():
        v = getattr(data, f, None)
        if isinstance(v, str) and len(v) > n:
            errors.add(f, _("Ensure this value has at most %(n)d characters.") % {"n": n})
