"""Findings: what pure checks return instead of raising.

A check (identifier, phone, cross-entity rule) returns a tuple of :class:`Finding`. "Cannot accept"
is a normal outcome, not an exception. Services turn error findings into an ``InvalidInput`` and
keep warnings for review; quality scans store both.

``code`` is the stable part: tests, the API and the quality module match on it. ``message`` is a
lazily translated string (English msgid, zh_Hans catalogue); it is excluded from equality and
hashing, so comparing findings never forces a translation and two findings with the same code,
severity and field are equal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Severity = Literal["error", "warning"]


@dataclasses.dataclass(frozen=True)
class Finding:
    """One problem found by a check.

    ``severity`` "error" blocks a save; "warning" is kept for human review. ``field`` names the
    input field the finding is about, when the check knows it.
    """

    code: str
    message: StrOrPromise = dataclasses.field(compare=False)
    severity: Severity = "error"
    field: str | None = None

    @property
    def is_error(self) -> bool:
        """True when this finding blocks acceptance."""
        return self.severity == "error"


def errors(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings with severity "error", in their original order."""
    return tuple(f for f in findings if f.severity == "error")


def warnings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings with severity "warning", in their original order."""
    return tuple(f for f in findings if f.severity == "warning")
