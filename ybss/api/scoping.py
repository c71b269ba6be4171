"""Every API operation declares whether it is jurisdiction-scoped, or says why not.

``@scoped`` marks an operation whose every read and write goes through a selector or service that
starts from ``org.jurisdiction.scope`` (so out-of-scope records are invisible and 404).
``@unscoped("reason")`` marks one that touches no business records (the caller's own profile and
tokens, the schema). :func:`ybss.api.main.iter_operations` lists every route with its mark, and a
test fails when one carries neither, so a new operation cannot skip the decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

ATTR = "_ybss_scope"


@dataclass(frozen=True)
class ScopeMark:
    scoped: bool
    reason: str = ""


def scoped(func: F) -> F:
    """Mark an operation as reading/writing only through jurisdiction-scoped selectors/services."""
    setattr(func, ATTR, ScopeMark(scoped=True))
    return func


def unscoped(reason: str) -> Callable[[F], F]:
    """Mark an operation as touching no business records, with the reason."""
    if not reason.strip():
        raise ValueError("an unscoped operation must say why")

    def mark(func: F) -> F:
        setattr(func, ATTR, ScopeMark(scoped=False, reason=reason))
        return func

    return mark


def mark_of(func: Callable[..., Any]) -> ScopeMark | None:
    """The mark of an operation's view function (looking through ``functools.wraps`` layers)."""
    seen = 0
    while func is not None and seen < 10:
        mark = getattr(func, ATTR, None)
        if mark is not None:
            return mark
        func = getattr(func, "__wrapped__", None)  # type: ignore[assignment]
        seen += 1
    return None
