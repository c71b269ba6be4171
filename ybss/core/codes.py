"""Look-ups over the code lists table (``core.Code``), cached per process.

Coded fields are stored as their code string; services check them here and pages show labels.
The cache is cleared when the admin edits a code (``clear_cache``).
"""

from __future__ import annotations

from functools import cache

from django.utils import translation


@cache
def _table() -> dict[str, dict[str, tuple[str, str, bool]]]:
    from .models import Code

    out: dict[str, dict[str, tuple[str, str, bool]]] = {}
    for slug, code, zh, en, active in Code.objects.values_list(
        "codelist_id", "code", "label_zh", "label_en", "active"
    ).order_by("codelist_id", "sort", "code"):
        out.setdefault(slug, {})[code] = (zh, en, active)
    return out


def clear_cache() -> None:
    _table.cache_clear()


def is_valid(slug: str, code: str) -> bool:
    """True when ``code`` is an active code of list ``slug``."""
    entry = _table().get(slug, {}).get(code)
    return bool(entry and entry[2])


def label(slug: str, code: str | None) -> str:
    """The label of a code in the current language; the raw code when unknown; '' for empty."""
    if not code:
        return ""
    entry = _table().get(slug, {}).get(code)
    if not entry:
        return code
    return entry[1] if translation.get_language() == "en" else entry[0]


def choices(slug: str, *, blank: bool = True) -> list[tuple[str, str]]:
    """(code, label) pairs of the active codes of a list, for form fields."""
    items = [(c, label(slug, c)) for c, (_zh, _en, active) in _table().get(slug, {}).items() if active]
    return [("", "---------"), *items] if blank else items


def codes(slug: str) -> list[str]:
    return [c for c, (_zh, _en, active) in _table().get(slug, {}).items() if active]
