"""Declarative rules: each check module lists the rules it runs as ``RuleSpec``s, and runs them
through a ``ScanContext`` that knows which rules the county admin switched on and with which
thresholds (``quality.models.RuleSetting`` over the defaults here).

A rule is named (``code``), versioned (``version``: bump it when its logic changes, so problems
found by an older version can be told apart), belongs to one category (``findings.CATEGORIES``),
has a severity, names the entity and fields it reads, and carries a Chinese message through
gettext. ``params`` are the tunable thresholds with their defaults.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RuleSpec:
    code: str
    category: str
    severity: str
    entity: str  # record type the rule is about, e.g. "registry.person"
    fields: tuple[str, ...]
    message: Any  # gettext_lazy string
    version: int = 1
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    description: Any = ""


@dataclass
class ScanContext:
    """What a check needs besides the database: the date, the rule switches and thresholds, an
    optional police-unit subtree to limit the scan to, and a progress callback."""

    today: dt.date
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # code → {"enabled", "params"}
    police_prefix: str = ""
    progress: Callable[[str], None] | None = None
    #: When set, only these records (record type → primary keys) are checked: the re-check of a
    #: record that just changed. Checks that need the whole base (duplicates, patterns) skip it.
    records: dict[str, set[int]] | None = None

    def on(self, rule: RuleSpec | str) -> bool:
        code = rule if isinstance(rule, str) else rule.code
        return bool(self.settings.get(code, {}).get("enabled", True))

    def param(self, rule: RuleSpec, name: str) -> Any:
        own = self.settings.get(rule.code, {}).get("params") or {}
        return own.get(name, rule.params[name])

    def step(self, label: str) -> None:
        if self.progress is not None:
            self.progress(label)
