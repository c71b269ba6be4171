"""Helpers the write operations share: masked identifiers sent back, warnings on the response."""

from __future__ import annotations

from typing import Any

from .schemas import ID_FIELDS, PHONE_FIELDS, show


def keep_masked(data: Any, record: Any, user: Any) -> Any:
    """Replace each ID number / phone in ``data`` that is exactly the masked form ``user`` was
    shown of ``record``'s stored value by the stored value; ``data`` is changed and returned.

    Without this a collector, who sees ``610524********123X``, could not save any edit of a record
    with an ID number: the service would reject the mask (or, worse, store it).
    """
    for field in ID_FIELDS | PHONE_FIELDS:
        value = getattr(data, field, None)
        if not isinstance(value, str) or "*" not in value:
            continue
        stored = getattr(record, field, "") or ""
        if stored and value == show(field, stored, user):
            setattr(data, field, stored)
    return data


def with_warnings(record: Any, warnings: Any) -> Any:
    record.api_warnings = list(warnings or [])
    return record
