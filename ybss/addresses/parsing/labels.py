"""The rule-based mapping of the police levels to the 21 CCKS labels (DOMAIN.md §12) (pure)."""

from __future__ import annotations

from .rules import Analysis

#: Police level → CCKS label (DOMAIN.md §12: a villager group is a "road" there).
CCKS_OF = {
    "province": "prov",
    "city": "city",
    "county": "district",
    "town": "town",
    "community": "community",
    "village": "community",
    "group": "road",
    "road": "road",
    "door_number": "roadno",
    "sub_number": "roadno",
    "compound": "poi",
    "poi": "poi",
    "building": "houseno",
    "unit": "cellno",
    "floor": "floorno",
    "room": "roomno",
    "assist": "assist",
    "country": "country",
    "devzone": "devzone",
    "redundant": "redundant",
    "other": "redundant",
}


def rule_label_spans(a: Analysis) -> list[tuple[str, int, int]]:
    """The CCKS labels mapped from an analysis's tokens, as ``(label, start, end)``: neighbouring
    door number and sub-number make one ``roadno``; unread text is ``otherinfo``."""
    out: list[tuple[str, int, int]] = []
    for tok in a.tokens:
        label = CCKS_OF.get(tok.level, "otherinfo")
        s, e = a.span(tok)
        if s >= e:
            continue
        if out and out[-1][0] == label == "roadno" and out[-1][2] == s:
            s = out.pop()[1]
        out.append((label, s, e))
    return out
