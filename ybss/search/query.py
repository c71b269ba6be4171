"""One-box search: parsing a query, the index keys of a person, and why a person matches.

Pure (no ORM): the selector looks the keys up in ``PersonKey`` and calls :func:`match` on each
candidate. Names are normalised with the quality app's helpers (NFKC, OpenCC t2s, toneless pinyin
of every reading), so 张伟, 張偉 and 张玮 share the key ``zhangwei``.

Index keys of a person (kind → key):

* ``id``  — the whole document number (upper case); a prefix such as 6105241980 is a range on it.
* ``id4`` — its last 4 characters (masked input 610524********123X and last-4/6 input look here
  and are then checked against the whole number).
* ``nm``  — the name (and each former name), simplified and normalised.
* ``py``  — each toneless pinyin reading of the name (homophones, traditional, typed pinyin).
* ``in``  — the initials of the usual reading (zw).
* ``iny`` — the initials and the birth year (zw1980), so that “zw 1980” starts from few rows.
* ``ph``  — each phone (digits only); ``ph4`` — its last 4 digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from ybss.quality import dedup_score as ds

KEY_MAX = 40

#: Scores: exact ID > partial ID > exact name > traditional / homophone > pinyin > initials.
SCORES = {
    "id_exact": 100,
    "phone_exact": 90,
    "id_masked": 85,
    "id_suffix": 80,
    "id_prefix": 75,
    "name_exact": 70,
    "name_former": 66,
    "name_variant": 65,
    "name_homophone": 60,
    "pinyin": 50,
    "phone_prefix": 45,
    "phone_last4": 40,
    "initials": 30,
    "name_part": 25,
    "birth_year": 10,
}

_WS = re.compile(r"[\s,，;；、]+")
_ID_FULL = re.compile(r"^[0-9]{17}[0-9X]$|^[0-9]{15}$")
_ID_MASKED = re.compile(r"^([0-9]{0,14})[*＊?？xX]{2,}([0-9]{0,17}[0-9X]?)$")
_ID_SUFFIX = re.compile(r"^[0-9]{3,5}[0-9X]$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_PHONE_PREFIX = re.compile(r"^1[3-9][0-9]{3,9}$")
_LETTERS = re.compile(r"^[a-z]+$")
_YEAR = re.compile(r"^(19|20)[0-9]{2}$")


@dataclass(frozen=True)
class Lookup:
    """One index lookup: ``kind`` equals, and ``key`` equals (or, with ``prefix``, starts)."""

    kind: str
    key: str
    prefix: bool = False


@dataclass(frozen=True)
class Term:
    """One word of the query. ``kind`` is what it looks like; ``lookups`` find candidates (none for
    a term too broad to start from, such as a birth year: it only narrows)."""

    text: str
    kind: str
    lookups: tuple[Lookup, ...] = ()
    masked_prefix: str = ""
    masked_suffix: str = ""
    #: the lookups find every person this term matches (a year also matches a birth year,
    #: which has no key of its own)
    complete: bool = True


@dataclass(frozen=True)
class PersonView:
    """What matching needs of a person."""

    id_number: str
    name: str
    former_names: str = ""
    phone: str = ""
    phone2: str = ""
    birth_date: date | None = None


@dataclass
class Match:
    score: int = 0
    reasons: list[str] = field(default_factory=list)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().upper()


def initials(name: str) -> str:
    """The initials of a name's usual reading (张伟 → zw); of a Latin name, each word's first."""
    if ds.is_latin(name):
        words = [ds._letters(w) for w in re.split(r"[\s·.\-]+", unicodedata.normalize("NFKC", name))]
        return "".join(w[0] for w in words if w)
    return "".join(r[0][0] for r in map(ds._readings, ds.simplified(name)) if r and r[0])


def parse(text: str, max_terms: int = 6) -> list[Term]:
    """Split ``text`` into terms and say what each looks like (ID, phone, name, pinyin, ...)."""
    out: list[Term] = []
    seen: set[str] = set()
    for raw in _WS.split(unicodedata.normalize("NFKC", text or "")):
        raw = raw.strip()[:KEY_MAX]
        if not raw or raw in seen:
            continue
        seen.add(raw)
        term = _term(raw)
        if term is not None:
            out.append(term)
        if len(out) >= max_terms:
            break
    return out


def _term(raw: str) -> Term | None:
    up = raw.upper()
    if _ID_FULL.match(up):
        return Term(up, "id_full", (Lookup("id", up),))
    m = _ID_MASKED.match(up)
    if m and (len(m.group(1)) + len(m.group(2))) >= 4 and len(m.group(2)) >= 1:
        pre, suf = m.group(1), m.group(2)
        lookups = (Lookup("id4", suf[-4:]),) if len(suf) >= 4 else (Lookup("id", pre, True),)
        return Term(up, "id_masked", lookups, masked_prefix=pre, masked_suffix=suf)
    if _YEAR.match(up):
        # a year: a birth year, or the last 4 of an ID number or a phone
        return Term(up, "year", (Lookup("id4", up), Lookup("ph4", up)), complete=False)
    if _ID_SUFFIX.match(up):
        suffix: tuple[Lookup, ...] = (Lookup("id4", up[-4:]),)
        if len(up) == 4:
            suffix += (Lookup("ph4", up),)
        return Term(up, "id_suffix", suffix)
    if up.isdigit() and len(up) >= 7:
        # the start of an ID number, or a phone (whole or its start): 13xxxx is also a region
        digits: tuple[Lookup, ...] = (Lookup("id", up, True),)
        if _MOBILE.match(up):
            digits += (Lookup("ph", up),)
        elif _PHONE_PREFIX.match(up) or len(up) >= 10:
            digits += (Lookup("ph", up, True),)
        return Term(up, "digits", digits)
    if up.isdigit() or not any(c.isalnum() for c in up):
        return None  # 1-3 digits or punctuation: too short to search
    low = raw.lower()
    if _LETTERS.match(low):
        if len(low) <= 4:
            return Term(low, "letters", (Lookup("in", low), Lookup("py", low)))
        return Term(low, "pinyin", (Lookup("py", low),))
    name = ds.simplified(raw)
    if not name:
        return None
    keys = tuple(Lookup("py", k) for k in sorted(ds.name_keys(raw)) if k)
    return Term(raw, "name", (Lookup("nm", name[:KEY_MAX]), *keys))


@lru_cache(maxsize=262_144)
def name_index_keys(name: str) -> tuple[tuple[str, str], ...]:
    """The index rows of one name (cached: a county repeats its names)."""
    s = ds.simplified(name)
    if not s:
        return ()
    keys = [("nm", s[:KEY_MAX])]
    keys += [("py", k[:KEY_MAX]) for k in ds.name_keys(name) if k]
    ini = _initials(name)
    if ini:
        keys.append(("in", ini[:KEY_MAX]))
    return tuple(keys)


@lru_cache(maxsize=262_144)
def _initials(name: str) -> str:
    return initials(name)


def person_keys(p: PersonView) -> set[tuple[str, str]]:
    """The index rows of one person, as (kind, key)."""
    keys: set[tuple[str, str]] = set()
    idn = _norm(p.id_number)
    if idn:
        keys.add(("id", idn[:KEY_MAX]))
        if len(idn) >= 4:
            keys.add(("id4", idn[-4:]))
    keys.update(name_index_keys(p.name))
    if p.former_names:
        for name in re.split(r"[\s,，、;；/]+", p.former_names):
            if name.strip():
                keys.update(name_index_keys(name))
    year = birth_year(p)
    if year and p.name:
        ini = _initials(p.name)
        if ini:
            keys.add(("iny", f"{ini}{year}"[:KEY_MAX]))
    for phone in (p.phone, p.phone2):
        d = _digits(phone or "")
        if len(d) >= 4:
            keys.add(("ph", d[:KEY_MAX]))
            keys.add(("ph4", d[-4:]))
    return keys


def birth_year(p: PersonView) -> str:
    """The birth year: of the birth date, else of an 18-character ID number."""
    if p.birth_date is not None:
        return str(p.birth_date.year)
    idn = _norm(p.id_number)
    if len(idn) == 18 and idn[6:10].isdigit() and idn[6:8] in ("19", "20"):
        return idn[6:10]
    return ""


def sources(terms: list[Term]) -> list[tuple[Lookup, ...]]:
    """Sets of lookups each of which finds every person matching all ``terms`` (the selector
    starts from the one with the fewest rows and checks the rest with :func:`match`)."""
    out: list[tuple[Lookup, ...]] = []
    years = [t for t in terms if t.kind == "year"]
    letters = [t for t in terms if t.kind == "letters"]
    for y in years:  # the narrow combinations first
        for t in letters:
            out.append((Lookup("iny", f"{t.text}{y.text}"), *t.lookups[1:], *y.lookups))
    out += [t.lookups for t in terms if t.complete and t.lookups]
    if not out:
        out = [t.lookups for t in terms if t.lookups]
    return out


def _name_reasons(term: Term, p: PersonView) -> tuple[str, ...]:
    q_simple = ds.simplified(term.text)
    formers = [n for n in re.split(r"[\s,，、;；/]+", p.former_names or "") if n.strip()]
    if ds.norm_name(term.text) == ds.norm_name(p.name):
        return ("name_exact",)
    if q_simple == ds.simplified(p.name):
        return ("name_variant",)
    if any(q_simple == ds.simplified(n) for n in formers):
        return ("name_former",)
    qkeys = ds.name_keys(term.text)
    if qkeys and qkeys & ds.name_keys(p.name):
        return ("name_homophone",)
    if len(q_simple) >= 2 and q_simple in ds.simplified(p.name):
        return ("name_part",)
    return ()


def term_reasons(term: Term, p: PersonView) -> tuple[str, ...]:
    """The reason codes for which ``p`` matches ``term`` (empty: it does not)."""
    idn = _norm(p.id_number)
    phones = [d for d in (_digits(p.phone or ""), _digits(p.phone2 or "")) if d]
    if term.kind == "id_full":
        return ("id_exact",) if idn == term.text else ()
    if term.kind == "id_masked":
        ok = (
            len(idn) >= len(term.masked_prefix) + len(term.masked_suffix)
            and idn.startswith(term.masked_prefix)
            and idn.endswith(term.masked_suffix)
        )
        return ("id_masked",) if ok else ()
    if term.kind in ("id_suffix", "year"):
        out: list[str] = []
        if idn.endswith(term.text):
            out.append("id_suffix")
        if len(term.text) == 4 and any(ph.endswith(term.text) for ph in phones):
            out.append("phone_last4")
        if term.kind == "year" and birth_year(p) == term.text:
            out.append("birth_year")
        return tuple(out)
    if term.kind == "digits":
        found: list[str] = []
        if idn.startswith(term.text):
            found.append("id_prefix")
        if term.text in phones:
            found.append("phone_exact")
        elif any(ph.startswith(term.text) for ph in phones):
            found.append("phone_prefix")
        return tuple(found)
    if term.kind in ("letters", "pinyin"):
        names = [p.name, *[n for n in re.split(r"[\s,，、;；/]+", p.former_names or "") if n.strip()]]
        if any(term.text in ds.name_keys(n) for n in names):
            return ("pinyin",)
        if term.kind == "letters" and any(_initials(n) == term.text for n in names):
            return ("initials",)
        return ()
    if term.kind == "name":
        return _name_reasons(term, p)
    return ()


def match(terms: list[Term], p: PersonView) -> Match | None:
    """How ``p`` matches every term (None when one term does not match): the score adds the best
    reason of each term."""
    if not terms:
        return None
    result = Match()
    for term in terms:
        reasons = term_reasons(term, p)
        if not reasons:
            return None
        best = max(SCORES[r] for r in reasons)
        result.score += best
        for r in reasons:
            if r not in result.reasons:
                result.reasons.append(r)
    return result


def audit_terms(terms: list[Term]) -> list[dict[str, str]]:
    """The terms as they may be written to the audit trail: the kind of each, identifiers masked
    (never a whole ID number or phone)."""
    out = []
    for t in terms:
        if t.kind in ("name", "pinyin", "letters"):
            shown = t.text
        elif len(t.text) <= 4:
            shown = "*" * len(t.text)
        else:
            shown = t.text[:3] + "*" * (len(t.text) - 5) + t.text[-2:]
        out.append({"kind": t.kind, "term": shown})
    return out
