"""Side-by-side comparison of a parsed address with a standard address (pure; no ORM).

``rows(parsed, candidate)`` lines up the police levels of both (township … room) and says which
differ, so the item page can highlight them; ``segments(text, spans)`` cuts the raw text into
labelled pieces for highlighting the parse.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

#: The levels compared, in address order, with their labels. ``community`` also stands for a
#: village (both are the 12-digit division under a township).
LEVELS: tuple[tuple[str, Any], ...] = (
    ("town", _("Township / subdistrict")),
    ("community", _("Community / village")),
    ("group", _("Villager group")),
    ("road", _("Street / road / lane")),
    ("door_number", _("Door number")),
    ("sub_number", _("Sub-number")),
    ("compound", _("Compound or yard")),
    ("building", _("Building")),
    ("unit", _("Building unit")),
    ("floor", _("Floor")),
    ("room", _("Room")),
)
LABELS: dict[str, Any] = {
    "province": _("Province"),
    "city": _("City"),
    "county": _("County"),
    "village": _("Community / village"),
    "poi": _("Place name"),
    **dict(LEVELS),
}

#: Unit words that only say what kind of number a value is: "3组" and "3", "12号楼" and "12".
_UNIT_WORDS = re.compile(r"(号楼|单元|组|号|栋|幢|座|层|楼|室|户|附)")
_NUMBERED = frozenset({"group", "door_number", "sub_number", "building", "unit", "floor", "room"})


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    parsed: str
    candidate: str

    @property
    def differs(self) -> bool:
        """True when both sides give the level and disagree, or only the text gives it."""
        if not self.parsed:
            return False
        return canonical(self.key, self.parsed) != canonical(self.key, self.candidate)


def canonical(key: str, value: str | None) -> str:
    """``value`` as compared: NFKC, no spaces; numbered levels without unit words or leading
    zeros (``"03组"`` → ``"3"``)."""
    v = unicodedata.normalize("NFKC", value or "").replace(" ", "")
    if key in _NUMBERED:
        v = _UNIT_WORDS.sub("", v)
        v = v.lstrip("0") or ("0" if v else "")
    return v.upper()


def values_of(parsed_values: Mapping[str, str]) -> dict[str, str]:
    """The parser's ``values`` keyed by ``LEVELS`` (a village is a community here)."""
    out = {k: str(v) for k, v in parsed_values.items() if v not in (None, "")}
    if "community" not in out and out.get("village"):
        out["community"] = out["village"]
    return out


def rows(parsed_values: Mapping[str, str], candidate_values: Mapping[str, str]) -> list[Row]:
    """The levels either side gives, in address order."""
    p = values_of(parsed_values)
    out = []
    for key, label in LEVELS:
        a, b = p.get(key, ""), candidate_values.get(key, "")
        if a or b:
            out.append(Row(key, str(label), a, b))
    return out


@dataclass(frozen=True)
class Segment:
    text: str
    label: str  # "" for text no component covers

    @property
    def title(self) -> str:
        return str(LABELS.get(self.label, self.label))


def segments(text: str, spans: Iterable[Any]) -> list[Segment]:
    """``text`` cut at the components' spans (``start``/``end``/``label``); overlaps and spans
    outside the text are skipped."""
    out: list[Segment] = []
    pos = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        start, end = int(span.start), int(span.end)
        if start < pos or end <= start or end > len(text):
            continue
        if start > pos:
            out.append(Segment(text[pos:start], ""))
        out.append(Segment(text[start:end], str(span.label)))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:], ""))
    return out
