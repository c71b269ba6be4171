"""The address engine as the cleaning workflow sees it: ``match``, ``find_duplicates``.

The real engine is ``ybss.addresses.matching`` (parser + gazetteer + matcher, see the shared
interfaces of issue 4). This module is a thin adapter over it, so that the cleaning workflow has
one place to call, and a plain stand-in while the engine is not installed (the stand-in matches a
text by full name or alias, as the import's ``AddressIndex`` does, and groups duplicates by the
same normalised full name). The stand-in is a fallback only: when ``ybss.addresses.matching``
can be imported it is always used.

Both functions take ``actor``: only addresses in the actor's jurisdiction are proposed (``None``:
the whole county, for batch jobs).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.db.models import Q

from ybss.addresses.models import AddressAlias, CleanState, StandardAddress
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import User

try:  # the shared plain types (issue 4); the stand-ins below only for a tree without them
    from ybss.addresses.parsing.types import ParsedAddress, Span
except ImportError:  # pragma: no cover - the parsing package exists from issue 4 on

    @dataclass(frozen=True)
    class Span:  # type: ignore[no-redef]
        label: str
        text: str
        start: int
        end: int

    @dataclass
    class ParsedAddress:  # type: ignore[no-redef]
        text: str
        normalised: str
        components: list[Span]
        labels: list[Span] = field(default_factory=list)
        values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    address_id: int
    code: str
    full_name: str
    score: float
    reason: str


@dataclass(frozen=True)
class MatchResult:
    best: Candidate | None
    candidates: list[Candidate]
    parent_id: int | None
    parsed: Any
    state: str  # "matched" | "ambiguous" | "unmatched"


def engine() -> ModuleType | None:
    """``ybss.addresses.matching`` when it is installed, else None (the stand-in is used)."""
    try:
        return importlib.import_module("ybss.addresses.matching")
    except ModuleNotFoundError as exc:
        if exc.name not in ("ybss.addresses.matching", "ybss.addresses"):
            raise
        return None


def match(text: str, *, actor: User | None, limit: int = 5) -> Any:
    """The standard addresses ``text`` may stand for, best first (``MatchResult``)."""
    m = engine()
    if m is not None:
        return m.match(text, actor=actor, limit=limit)
    return _fallback_match(text, actor=actor, limit=limit)


def find_duplicates(*, actor: User | None, division_prefix: str = "") -> list[list[int]]:
    """Groups of address ids that are the same place; the first id is the suggested survivor.
    Pairs recorded as ``NotDuplicate`` are not proposed."""
    m = engine()
    if m is not None:
        return [list(g) for g in m.find_duplicates(actor=actor, division_prefix=division_prefix)]
    return _fallback_duplicates(actor=actor, division_prefix=division_prefix)


def parse(text: str) -> Any:
    """The parse of ``text`` (``ParsedAddress``): the engine's when installed."""
    try:
        parsing = importlib.import_module("ybss.addresses.parsing")
        return parsing.parse(text)
    except (ImportError, AttributeError):
        return _fallback_parse(text)


# --- the stand-in ------------------------------------------------------------------------------

_PATTERNS = (
    ("town", r"[\u4e00-\u9fff]{1,6}?(?:街道|镇|乡)"),
    ("community", r"[\u4e00-\u9fff]{1,6}?(?:社区|村)(?!民)"),
    ("group", r"[0-9]{1,2}组"),
    ("road", r"[\u4e00-\u9fff]{1,8}?(?:大道|路|街|巷)"),
    ("door_number", r"[0-9]{1,5}号(?!楼)"),
    ("sub_number", r"附[0-9]{1,4}号"),
    ("compound", r"[\u4e00-\u9fff]{1,8}?(?:小区|家园|花园|苑|院|华庭|府|城|里|园|湾)"),
    ("building", r"[0-9A-Za-z]{1,4}(?:号楼|栋|幢|座)"),
    ("unit", r"[0-9]{1,2}单元"),
    ("floor", r"-?[0-9]{1,3}(?:层|楼)(?![0-9])"),
    ("room", r"[0-9B]{1,5}(?:室|户)"),
)
_DIGITS = re.compile(r"[0-9A-Za-z]+")
_SHORTHAND = re.compile(r"(?<![0-9])([0-9]{1,3})-([0-9]{1,2})-([0-9]{3,5})(?![0-9])")


def _fallback_parse(text: str) -> ParsedAddress:
    """Components by regular expressions over the NFKC text: enough to prefill a new address."""
    from ybss.transfer.importing.parse import address_key

    t = address_key(text)
    spans: list[Span] = []
    values: dict[str, str] = {}
    pos = 0
    for label, pattern in _PATTERNS:
        m = re.compile(pattern).search(t, pos)
        if m is None:
            continue
        value = m.group(0)
        spans.append(Span(label, value, m.start(), m.end()))
        if label in ("town", "community", "road", "compound"):
            values[label] = value
        else:
            digits = _DIGITS.search(value.replace("附", ""))
            values[label] = ("-" if value.startswith("-") else "") + (digits.group(0) if digits else value)
        pos = m.end()
    short = _SHORTHAND.search(t)
    if short and "building" not in values:
        values.update(building=short.group(1), unit=short.group(2), room=short.group(3))
        spans.append(Span("building", short.group(0), short.start(), short.end()))
    return ParsedAddress(text=text, normalised=t, components=spans, labels=[], values=values)


def _live(actor: User | None) -> Any:
    qs = StandardAddress.objects.exclude(status=RecordStatus.VOIDED).exclude(clean_state=CleanState.MERGED)
    return jurisdiction.scope(qs, actor) if actor is not None else qs


def _fallback_match(text: str, *, actor: User | None, limit: int) -> MatchResult:
    from ybss.transfer.importing.parse import address_key
    from ybss.transfer.importing.resolve import county_prefixes

    parsed = _fallback_parse(text)
    prefixes = county_prefixes()
    key = address_key(text, prefixes)
    candidates: list[Candidate] = []
    if key:
        exact = _live(actor).filter(Q(full_name__endswith=key) | Q(aliases__name=text.strip())).distinct()
        for a in exact.order_by("id")[:limit]:
            candidates.append(Candidate(a.pk, a.code, a.full_name, 1.0, "全称一致"))
    parent_id = None
    v = parsed.values
    if not candidates and v.get("door_number"):
        near = _live(actor).filter(door_number=v["door_number"], level="door")
        if v.get("road"):
            near = near.filter(road__name=v["road"])
        elif v.get("group"):
            near = near.filter(road__name=f"{v['group']}组")
        for a in near.order_by("id")[:limit]:
            candidates.append(Candidate(a.pk, a.code, a.full_name, 0.6, "门牌号一致"))
        if len(candidates) == 1 and (v.get("room") or v.get("unit")):
            parent_id = candidates[0].address_id
    if len(candidates) == 1 and candidates[0].score >= 1.0:
        state = "matched"
    elif candidates:
        state = "ambiguous"
    else:
        state = "unmatched"
    best = candidates[0] if candidates else None
    return MatchResult(best, candidates, parent_id, parsed, state)


def _fallback_duplicates(*, actor: User | None, division_prefix: str) -> list[list[int]]:
    from ybss.transfer.importing.parse import address_key

    from .models import NotDuplicate

    qs = _live(actor)
    if division_prefix:
        qs = qs.filter(jurisdiction.subtree_q("division", division_prefix))
    groups: dict[tuple[str, str], list[int]] = {}
    levels: dict[int, str] = {}
    for pk, name, level in qs.order_by("id").values_list("id", "full_name", "level").iterator():
        levels[pk] = level
        groups.setdefault((level, address_key(name)), []).append(pk)
    aliases = AddressAlias.objects.filter(address__in=qs.values("id")).values_list("address_id", "name")
    for pk, name in aliases.iterator():
        ids = groups.get((levels.get(pk, ""), address_key(name)))
        if ids is not None and pk not in ids:
            ids.append(pk)
    apart = set(NotDuplicate.objects.values_list("address_a_id", "address_b_id"))
    out: list[list[int]] = []
    for ids in groups.values():
        if len(ids) < 2:
            continue
        first = ids[0]
        rest = [i for i in ids[1:] if NotDuplicate.ordered_pair(first, i) not in apart]
        if rest:
            out.append([first, *rest])
    return out
