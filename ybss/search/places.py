"""One-box search for units and addresses: which words of a query can find a unit (its credit
code or name) or a standard address (a fragment of its name), the address index keys, and why a
unit or an address matches. Pure (no ORM): the selector looks the keys up and calls the matchers.

Units (实有单位): a word of 18 letters and digits may be a whole unified social credit code; 4 to
17 letters and digits with a digit among them, its start or its end; a word with a Chinese
character, a fragment of the unit's name (traditional characters read as simplified with the
quality app's OpenCC helper) or the legal representative's whole name.

Addresses (标准地址): a word with a Chinese character, or digits joined by dashes (12-3-1001), is
a fragment of an address name. It is cleaned as the address parser cleans text (full-width →
half-width, traditional → simplified, spaces and punctuation dropped: ``addresses.parsing.text``)
and also read in the parser's standard form (城关镇 → 城关街道, 12-3-1001 → 12号楼3单元1001室,
正街61 → 正街61号: ``addresses.parsing.normalise``); the county's own province, city and county
names are dropped from the start of both, as they are from the indexed names. An address matches
when every word is found, in one of its two forms, in its cleaned name.

Index keys of an address: each distinct character trigram of its name below the county, the last
two characters followed by "" (so that every pair of characters starts some key).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ybss.addresses.parsing.text import clean
from ybss.quality import dedup_score as ds

_WS = re.compile(r"[\s,，;；、]+")
_CREDIT_FULL = re.compile(r"^[0-9A-Z]{18}$")
_CREDIT_PART = re.compile(r"^[0-9A-Z]{4,17}$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DASHED = re.compile(r"^[0-9]+(-[0-9A-Z]+)+$")
MAX_WORDS = 6
MAX_WORD = 40

#: Scores of one word; an address or unit adds the best of each word.
SCORES = {
    "credit_exact": 100,
    "credit_prefix": 80,
    "credit_suffix": 80,
    "unit_name_exact": 90,
    "unit_name_part": 60,
    "legal_rep": 40,
    "address_standard": 60,
    "address_part": 50,
}


@dataclass(frozen=True)
class UnitTerm:
    text: str
    kind: str  # credit_full, credit_part, unit_name
    name: str = ""  # unit_name: the fragment in simplified characters


@dataclass(frozen=True)
class AddressTerm:
    text: str
    #: the cleaned fragment as typed, then its standard form when that differs (both below the county)
    forms: tuple[str, ...]


@dataclass(frozen=True)
class UnitView:
    name: str
    credit_code: str = ""
    legal_rep_name: str = ""


@dataclass
class Match:
    score: int = 0
    reasons: list[str] = field(default_factory=list)


def words(text: str) -> list[str]:
    """The query's words (as ``query.parse`` splits them), NFKC, de-duplicated, at most 6."""
    out: list[str] = []
    for raw in _WS.split(unicodedata.normalize("NFKC", text or "")):
        raw = raw.strip()[:MAX_WORD]
        if raw and raw not in out:
            out.append(raw)
    return out[:MAX_WORDS]


def simplified(text: str) -> str:
    """A unit name fragment as stored: NFKC, traditional characters simplified one by one."""
    return "".join(ds._t2s_char(c) for c in unicodedata.normalize("NFKC", text).strip())


def unit_terms(text: str) -> list[UnitTerm]:
    out: list[UnitTerm] = []
    for raw in words(text):
        up = raw.upper()
        if _CREDIT_FULL.match(up):
            out.append(UnitTerm(up, "credit_full"))
        elif _CREDIT_PART.match(up) and any(c.isdigit() for c in up):
            out.append(UnitTerm(up, "credit_part"))
        elif _CJK.search(raw):
            out.append(UnitTerm(raw, "unit_name", simplified(raw)))
    return out


def unit_term_reasons(term: UnitTerm, u: UnitView) -> tuple[str, ...]:
    code = (u.credit_code or "").upper()
    if term.kind == "credit_full":
        return ("credit_exact",) if code == term.text else ()
    if term.kind == "credit_part":
        found = []
        if code.startswith(term.text):
            found.append("credit_prefix")
        if code.endswith(term.text):
            found.append("credit_suffix")
        return tuple(found)
    name = simplified(u.name)
    if name == term.name:
        return ("unit_name_exact",)
    found = []
    if term.name and term.name in name:
        found.append("unit_name_part")
    if term.name and term.name == simplified(u.legal_rep_name or ""):
        found.append("legal_rep")
    return tuple(found)


def _match(reasons_per_term: Sequence[tuple[str, ...]]) -> Match | None:
    if not reasons_per_term:
        return None
    result = Match()
    for reasons in reasons_per_term:
        if not reasons:
            return None
        result.score += max(SCORES[r] for r in reasons)
        for r in reasons:
            if r not in result.reasons:
                result.reasons.append(r)
    return result


def unit_match(terms: list[UnitTerm], u: UnitView) -> Match | None:
    """How unit ``u`` matches every term (None when one does not)."""
    return _match([unit_term_reasons(t, u) for t in terms])


# --------------------------------------------------------------------------------------------
# Addresses


def tail(name: str, chain: Sequence[str]) -> str:
    """``name`` cleaned (``addresses.parsing.text.clean``) without the county's own leading
    province, city and county names (``chain``, from the top)."""
    s = clean(name)[0]
    for prefix in chain:
        if prefix and s.startswith(prefix):
            s = s[len(prefix) :]
    return s


def stored_tail(full_name: str, chain: Sequence[str]) -> str:
    """A standard address's own full name below the county: it is already in the canonical form
    (``addresses.naming.full_name``), so only the leading chain names are dropped (fast: this
    runs for every address of the county when the index is built)."""
    s = full_name
    for prefix in chain:
        if prefix and s.startswith(prefix):
            s = s[len(prefix) :]
    return s.upper() if not s.isupper() and any("a" <= c <= "z" for c in s) else s


def address_keys(name_tail: str) -> set[tuple[str, str]]:
    """The index rows of one address name (below the county), as (pair, next)."""
    n = len(name_tail)
    keys = {(name_tail[i : i + 2], name_tail[i + 2 : i + 3]) for i in range(n - 1)}
    return keys


def lookups(fragment: str) -> list[tuple[str, str | None]]:
    """The keys every name containing ``fragment`` has: (pair, next), or (pair, None) for a
    two-character fragment (any next character)."""
    if len(fragment) == 2:
        return [(fragment, None)]
    return sorted({(fragment[i : i + 2], fragment[i + 2]) for i in range(len(fragment) - 2)})


def address_terms(
    text: str, chain: Sequence[str], standard: Callable[[str], str] | None = None
) -> list[AddressTerm]:
    """The words that can be address fragments, each in its cleaned and standard forms."""
    out: list[AddressTerm] = []
    for raw in words(text):
        up = raw.upper()
        if not (_CJK.search(raw) or _DASHED.match(up)):
            continue
        forms: list[str] = []
        for form in (raw, standard(raw) if standard else ""):
            t = tail(form, chain) if form else ""
            if len(t) >= 2 and t not in forms:
                forms.append(t)
        if forms:
            out.append(AddressTerm(raw, tuple(forms)))
    return out


def address_term_reasons(term: AddressTerm, name_tail: str) -> tuple[str, ...]:
    typed = term.forms[0]
    found: list[str] = []
    if any(f in name_tail for f in term.forms[1:]):
        found.append("address_standard")
    if typed in name_tail and (term.forms[1:] == () or not found):
        found.append("address_part")
    return tuple(found)


def address_match(terms: list[AddressTerm], name_tail: str) -> Match | None:
    """How an address (its name below the county) matches every term (None when one does not)."""
    return _match([address_term_reasons(t, name_tail) for t in terms])


def audit_terms(unit: list[UnitTerm], address: list[AddressTerm]) -> list[dict[str, str]]:
    """Unit and address words for the audit trail: names and address fragments as typed (not
    personal data), credit codes masked like identifiers (an 18-digit word may be an ID number)."""
    out: list[dict[str, str]] = []
    for t in unit:
        if t.kind == "unit_name":
            out.append({"kind": t.kind, "term": t.text})
        else:
            shown = (
                "*" * len(t.text) if len(t.text) <= 4 else t.text[:3] + "*" * (len(t.text) - 5) + t.text[-2:]
            )
            out.append({"kind": t.kind, "term": shown})
    for a in address:
        if any(c.isdigit() for c in a.text) and not _CJK.search(a.text):
            shown = a.text[:2] + "*" * max(0, len(a.text) - 2)  # 12-3-1001 might be anything
        else:
            shown = a.text
        out.append({"kind": "address", "term": shown})
    return out
