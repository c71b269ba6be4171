"""Turning cells into values: code lists by code or label, dates, numbers, yes/no, text.

Pure apart from :meth:`CodeMaps.load`, which reads ``core.Code`` once per import. Each parser
returns ``(value, problem)`` where ``problem`` is None or a ``(code, message)`` pair; the caller
attaches the column.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import cache

from django.utils.translation import gettext_lazy as _

from ybss.transfer.columns import normalise_header

Problem = tuple[str, object] | None

#: Legacy words for residence types that are not the code list's labels.
EXTRA_LABELS: dict[str, dict[str, str]] = {
    "residence_type": {
        "户籍人口": "permanent",
        "户籍": "permanent",
        "暂住": "floating",
        "暂住人口": "floating",
        "外来人口": "floating",
        "流入人口": "floating",
        "境外人员": "foreign",
        "外国人": "foreign",
        "无户口": "unregistered",
        "未落户人员": "unregistered",
    },
    "sex": {"m": "1", "f": "2", "male": "1", "female": "2"},
    "id_type": {"身份证": "111", "居民身份证号码": "111", "护照": "414"},
    "management_level": {"a": "A", "b": "B", "c": "C"},
}

_SUFFIXES = ("人口", "人员", "性", "族")


def _key(text: str) -> str:
    return normalise_header(text)


class CodeMaps:
    """Label or code → code, per code list, built once per import from ``core.Code``.

    Accepted for a code: the code itself (case-insensitive; digits may lose leading zeros, as
    Excel does: "1" → "01"), its Chinese or English label, the label without a trailing 性/族/人口/人员
    (男性 → 男, 汉族 → 汉), each part of a label written "甲/乙", the label before a bracket, and a
    few legacy words (:data:`EXTRA_LABELS`). An alias that would name two codes is dropped.
    """

    def __init__(self, lists: dict[str, list[tuple[str, str, str]]]) -> None:
        self._maps: dict[str, dict[str, str]] = {}
        self._memo: dict[str, dict[str, str | None]] = {}
        self._widths: dict[str, int] = {}
        for slug, items in lists.items():
            exact: dict[str, str] = {}
            derived: dict[str, set[str]] = {}
            for code, zh, en in items:
                exact[_key(code)] = code
                for label in (zh, en):
                    for alias in _aliases(label):
                        derived.setdefault(_key(alias), set()).add(code)
            for alias, codes in {**{k: {v} for k, v in EXTRA_LABELS.get(slug, {}).items()}}.items():
                derived.setdefault(_key(alias), set()).update(codes)
            merged = {k: next(iter(v)) for k, v in derived.items() if len(v) == 1 and k}
            merged.update(exact)
            self._maps[slug] = merged
            digits = [c for c, _zh, _en in items if c.isdigit()]
            if digits and len(digits) == len(items) and len({len(c) for c in digits}) == 1:
                self._widths[slug] = len(digits[0])

    @classmethod
    def load(cls, slugs: Iterable[str]) -> CodeMaps:
        from ybss.core.models import Code

        wanted = set(slugs)
        lists: dict[str, list[tuple[str, str, str]]] = {s: [] for s in wanted}
        for slug, code, zh, en in Code.objects.filter(codelist_id__in=wanted, active=True).values_list(
            "codelist_id", "code", "label_zh", "label_en"
        ):
            lists[slug].append((code, zh, en))
        return cls(lists)

    def lookup(self, slug: str, text: str) -> str | None:
        """The code ``text`` stands for in list ``slug``, or None (memoised: cells repeat)."""
        memo = self._memo.setdefault(slug, {})
        if text in memo:
            return memo[text]
        code = memo[text] = self._lookup(slug, text)
        return code

    def _lookup(self, slug: str, text: str) -> str | None:
        m = self._maps.get(slug, {})
        k = _key(text)
        code = m.get(k)
        if code is None and k.isdigit() and slug in self._widths:
            code = m.get(k.zfill(self._widths[slug]))
        if code is None:
            for suffix in ("人口", "人员"):
                if k.endswith(suffix) and len(k) > len(suffix):
                    return m.get(k[: -len(suffix)])
        return code


def _aliases(label: str) -> set[str]:
    out = {label}
    base = re.split(r"[（(]", label, maxsplit=1)[0]
    out.add(base)
    for part in re.split(r"[/／]", base):
        out.add(part)
        for suffix in _SUFFIXES:
            if part.endswith(suffix) and len(part) > len(suffix) + 0:
                stripped = part[: -len(suffix)]
                if stripped:
                    out.add(stripped)
    return {a.strip() for a in out if a.strip()}


#: Invisible format characters met in pasted text (soft hyphen, zero-width, bidi marks, BOM).
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
        "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff",
    ),
    None,
)


def clean(text: str) -> str:
    """A cell's text: NFKC (full-width → half-width), outer whitespace and invisible marks removed."""
    if not text:
        return ""
    if text.isascii():
        return text.strip()
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE).strip()


_CELL_SEP = "\x1f"
_INVISIBLE_RE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")


def clean_all(cells: list[str]) -> list[str]:
    """:func:`clean` of every cell, normalising the row in one call (cells are short and many)."""
    joined = _CELL_SEP.join(cells)
    if joined.isascii():
        return [c.strip() for c in cells]
    if joined.count(_CELL_SEP) != len(cells) - 1:
        return [clean(c) for c in cells]  # a cell holds the separator itself
    folded = unicodedata.normalize("NFKC", joined)
    if _INVISIBLE_RE.search(folded):  # rare; str.translate is slow on long text
        folded = folded.translate(_INVISIBLE)
    return [c.strip() for c in folded.split(_CELL_SEP)]


_DATE_RE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_DATE8_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TIME_RE = re.compile(r"(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})(?:\.\d+)?秒?)?")


def parse_date(text: str) -> tuple[dt.date | None, Problem]:
    """YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYY年M月D日 or YYYYMMDD (a time part is ignored)."""
    t = clean(text)
    if not t:
        return None, None
    head = t.split(" ", 1)[0].split("T", 1)[0]
    m = _DATE_RE.fullmatch(head) or _DATE8_RE.fullmatch(head)
    if not m:
        return None, ("date.format", _("Write the date as YYYY-MM-DD."))
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])), None
    except ValueError:
        return None, ("date.invalid", _("This date does not exist."))


def parse_datetime(text: str) -> tuple[dt.datetime | None, Problem]:
    """A date as :func:`parse_date`, optionally followed by HH:MM[:SS]; naive local time."""
    t = clean(text)
    if not t:
        return None, None
    parts = re.split(r"[ T]+", t, maxsplit=1)
    d, problem = parse_date(parts[0])
    if d is None:
        return None, problem or ("date.format", _("Write the time as YYYY-MM-DD HH:MM."))
    hh = mm = ss = 0
    if len(parts) > 1:
        m = _TIME_RE.fullmatch(parts[1])
        if not m:
            return None, ("date.format", _("Write the time as YYYY-MM-DD HH:MM."))
        hh, mm, ss = int(m[1]), int(m[2]), int(m[3] or 0)
    try:
        return dt.datetime(d.year, d.month, d.day, hh, mm, ss), None
    except ValueError:
        return None, ("date.invalid", _("This time does not exist."))


def parse_int(text: str) -> tuple[int | None, Problem]:
    t = clean(text)
    if not t:
        return None, None
    try:
        f = Decimal(t)
    except InvalidOperation:
        return None, ("number.format", _("Enter a whole number."))
    if f != f.to_integral_value():
        return None, ("number.format", _("Enter a whole number."))
    return int(f), None


def parse_decimal(text: str, places: int = 2) -> tuple[Decimal | None, Problem]:
    t = clean(text).replace(",", "")
    if not t:
        return None, None
    try:
        d = Decimal(t)
    except InvalidOperation:
        return None, ("number.format", _("Enter a number."))
    if not d.is_finite():
        return None, ("number.format", _("Enter a number."))
    return d.quantize(Decimal(1).scaleb(-places)), None


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "已签", "已签订"}
_FALSE = {"否", "无", "n", "no", "false", "0", "未签", "未签订"}


def parse_bool(text: str) -> tuple[bool | None, Problem]:
    t = clean(text).lower()
    if not t:
        return None, None
    if t in _TRUE:
        return True, None
    if t in _FALSE:
        return False, None
    return None, ("bool.format", _("Write 是 or 否."))


def split_codes(text: str) -> list[str]:
    """Several codes in one cell, separated by 、 , ; or spaces."""
    return [p for p in re.split(r"[、,，;；\s]+", clean(text)) if p]


@cache
def _t2s():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
_ADDRESS_NOISE = re.compile(r"[\s,，。.、;；:：\"'“”‘’()（）\[\]【】]")


def address_key(text: str, drop_prefixes: tuple[str, ...] = ()) -> str:
    """The form in which an address text is compared with standard full names: NFKC, traditional →
    simplified, no spaces or punctuation, numbers without leading zeros, and the leading division
    names in ``drop_prefixes`` (province, city, county, in order) removed where present."""
    t = unicodedata.normalize("NFKC", text or "")
    t = _ADDRESS_NOISE.sub("", t)
    t = _t2s().convert(t)
    for p in drop_prefixes:
        if p and t.startswith(p):
            t = t[len(p) :]
    return _LEADING_ZEROS.sub("", t)
