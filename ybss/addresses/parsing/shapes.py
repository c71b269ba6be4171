"""Parse results reused by the shape of a text (pure): the same text with other digits parses the
same way.

A county's addresses come in few shapes: 陕西省渭南市合阳县甘井镇麻阳社区3组12号 and …3组7号 differ
only in their digits, and nothing in the rules depends on a digit's value (only on where digits
are and how many), so both parse into the same parts at the same offsets. :func:`parse_shaped`
keys a cache on the text with every digit replaced by 0 (its *shape*); on a hit it copies the
parts that hold no digit and recomputes only the numbers (door, building, unit, room …) from the
text with the same function the rules use (``rules.numeric_value``).

Safety: a shape is stored only after it reproduced, for the text that created it, exactly what the
full rules produced (components, values, canonical text, codes and labels); otherwise the shape is
marked and always parsed in full. A gazetteer that holds names with digits in them (a compound
called 1号院) turns the cache off, since a digit could then decide what is a name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .gazetteer import Gazetteer
from .rules import _NOT_VALUES, DIVISION_LEVELS, Analysis, analyse, numeric_value, render, values_of
from .rules import _convert_numerals as convert_numerals
from .rules import _render_one as render_one
from .text import clean
from .types import POLICE_LEVELS, Span

MAX_SHAPES = 100_000
_DIGIT = re.compile("[1-9]")
#: Characters that stand for their class in a shape: a digit for any digit, 一 for any Chinese
#: digit, 〇 for a Chinese zero (十, 百, 千 and 两 stay: they change how a numeral reads).
_CLASSES = str.maketrans(
    {
        **dict.fromkeys("１２３４５６７８９", "０"),
        **dict.fromkeys("二三四五六七八九", "一"),
        **dict.fromkeys("零○", "〇"),
    }
)
_ASCII_CLASSES = str.maketrans({**dict.fromkeys("１２３４５６７８９", "０")})
_OTHER_NUMERALS = re.compile("[１-９一二三四五六七八九零○〇]")
#: Key characters whose position may hold another character in another text of the same shape.
VARIABLE = frozenset("0０一〇")
_DIGIT_RUN = re.compile(r"\d+")
_UNCACHEABLE = object()


@dataclass(slots=True)
class Shape:
    """What every text of one shape parses into; ``None`` in ``components`` and ``pieces`` marks a
    part that holds digits and is rebuilt from the text (index into ``numbers``)."""

    components: list[tuple[Span | None, str, int, int]]
    #: the parts holding digits: (level or "" for plain text, start, end, digits start, digits end);
    #: with digits start < end the value is those digits without leading zeros when they are ASCII
    numbers: list[tuple[str, int, int, int, int]]
    values: dict[str, str]
    value_numbers: list[tuple[str, int]]  # (level, index into numbers)
    pieces: list[str | tuple[int, str]]  # literal text, or (index into numbers, level or "")
    codes: dict[str, str]
    labels: list[tuple[str, int, int]]
    #: the canonical text as a format string over the numbers
    template: str | None = None
    #: components without digits (shared Span objects) with None where one must be rebuilt
    fixed: list[Span | None] | None = None
    rebuilt: list[tuple[int, str, int, int]] | None = None


@dataclass(slots=True)
class Result:
    """The pieces of a ``ParsedAddress`` (labels as spans, computed on demand by the caller)."""

    normalised: str
    components: list[Span]
    values: dict[str, str]
    codes: dict[str, str]
    analysis: Analysis | None
    label_spans: list[tuple[str, int, int]] | None


def shape_of(text: str, numerals: bool = True) -> str:
    """``text`` with every digit (ASCII or full-width) written 0 and, with ``numerals``, every
    Chinese digit 一 and Chinese zero 〇: texts of one shape parse alike."""
    key = _DIGIT.sub("0", text)
    if not key.isascii() and _OTHER_NUMERALS.search(key) is not None:
        key = key.translate(_CLASSES if numerals else _ASCII_CLASSES)
    return key


def full(text: str, gz: Gazetteer) -> Result:
    """Parse ``text`` with the rules alone (no cache)."""
    a = analyse(text, gz)
    components = []
    for tok in a.tokens:
        if tok.level in POLICE_LEVELS:
            s, e = a.span(tok)
            components.append(Span(tok.level, text[s:e], s, e))
    normalised = render(a, gz) if text.strip() else ""
    return Result(normalised, components, values_of(a, gz), dict(a.codes), a, None)


def parse_shaped(text: str, gz: Gazetteer, label_spans, key: str | None = None) -> Result:  # type: ignore[no-untyped-def]
    """:func:`full`, through the shape cache. ``label_spans(analysis)`` gives the rule labels of
    an analysis as ``(label, start, end)`` (for storing them with the shape); ``key``: the
    text's :func:`shape_of` when already known."""
    if gz.digit_names or not text:
        return full(text, gz)
    numerals = not gz.numeral_names
    if key is None:
        key = shape_of(text, numerals)
    shape = gz.shapes.get(key)
    if shape is _UNCACHEABLE and numerals:
        # a Chinese numeral in a name (九龙路) varies in this shape: key on digits alone instead
        numerals = False
        key = shape_of(text, numerals)
        shape = gz.shapes.get(key)
    if shape is None:
        result = full(text, gz)
        if key not in gz.seen:  # a shape is worth making the second time it is met
            if len(gz.seen) >= MAX_SHAPES:
                gz.seen.clear()
            gz.seen.add(key)
            return result
        made = _make(text, key, result, gz, label_spans)
        if len(gz.shapes) >= MAX_SHAPES:
            gz.shapes.clear()
        if made is None and numerals:
            gz.shapes[key] = _UNCACHEABLE
            key = shape_of(text, False)
            made = _make(text, key, result, gz, label_spans) if key not in gz.shapes else None
            if key in gz.shapes:
                return result
        gz.shapes[key] = made if made is not None else _UNCACHEABLE
        return result
    if shape is _UNCACHEABLE:
        return full(text, gz)
    return _apply(shape, text)


_NUMBERS: dict[tuple[str, str], str] = {}
_SPANS: dict[tuple[str, str, int], Span] = {}


def _number(level: str, text: str, s: int, e: int) -> str:
    """The value of the numbered part ``text[s:e]`` (its cleaned text for plain text); memoised,
    since the same parts (十二号, ３栋) come back again and again."""
    raw = text[s:e]
    value = _NUMBERS.get((level, raw))
    if value is None:
        part = clean(raw)[0]
        if level and _OTHER_NUMERALS.search(part) is not None:
            part = convert_numerals(part)[0]
        value = numeric_value(level, part) if level else part
        if len(_NUMBERS) >= MAX_SHAPES:
            _NUMBERS.clear()
        _NUMBERS[(level, raw)] = value
    return value


def _apply(shape: Shape, text: str) -> Result:
    # Digits at a number's ``ds:de`` are ASCII in every text of the shape (the key keeps ASCII
    # and full-width digits apart), so only a leading zero needs ``int``.
    numbers = [
        (d if (d := text[ds:de])[0] != "0" else str(int(d))) if ds < de else _number(level, text, s, e)
        for level, s, e, ds, de in shape.numbers
    ]
    components = shape.fixed.copy()  # type: ignore[union-attr]
    spans = _SPANS
    for j, level, s, e in shape.rebuilt:  # type: ignore[union-attr]
        key = (level, text[s:e], s)
        span = spans.get(key)
        if span is None:  # spans are immutable: the same part at the same place is shared
            if len(spans) >= MAX_SHAPES:
                spans.clear()
            span = spans[key] = Span(level, key[1], s, e)
        components[j] = span
    values = shape.values.copy()
    for level, i in shape.value_numbers:
        values[level] = numbers[i]
    normalised = shape.template.format(*numbers)  # type: ignore[union-attr]
    return Result(normalised, components, values, shape.codes.copy(), None, shape.labels)  # type: ignore[arg-type]


def mark_recurring(keys: Sequence[str], gz: Gazetteer) -> None:
    """Note the shapes met more than once among ``keys`` (from :func:`shape_of`) as seen, so that
    :func:`parse_shaped` makes each on its first text instead of its second: a batch then parses
    each new shape in full once."""
    shapes = gz.shapes
    once: set[str] = set()
    for k in keys:
        if k in shapes:
            continue
        if k in once:
            gz.seen.add(k)
        else:
            once.add(k)


def _make(text: str, key: str, result: Result, gz: Gazetteer, label_spans) -> Shape | None:  # type: ignore[no-untyped-def]
    a = result.analysis
    if a is None or not text.strip():
        return None
    numbers: list[tuple[str, int, int, int, int]] = []
    index: dict[tuple[int, int], int] = {}

    variable = [0]  # variable[i]: how many variable characters key[:i] holds
    for c in key:
        variable.append(variable[-1] + (c in VARIABLE))

    def holds_digits(s: int, e: int) -> bool:
        return variable[e] > variable[s]

    # a character that may differ between texts of this shape must sit in a number (whose value
    # is recomputed from each text), never in a name
    for tok in a.tokens:
        s, e = a.span(tok)
        if tok.kind in ("gaz", "name") and holds_digits(s, e):
            return None

    def number_of(level: str, s: int, e: int) -> int:
        i = index.get((s, e))
        if i is None:
            i = index[(s, e)] = len(numbers)
            ds = de = s
            runs = list(_DIGIT_RUN.finditer(text, s, e))
            value = _number(level, text, s, e)
            one = runs[0].group(0) if len(runs) == 1 else ""
            if level and level != "floor" and one.isascii() and one and value == str(int(one)):
                ds, de = runs[0].span()
            numbers.append((level, s, e, ds, de))
        return i

    components: list[tuple[Span | None, str, int, int]] = []
    first: dict[str, tuple[int, int]] = {}
    for tok in a.tokens:
        if tok.level in POLICE_LEVELS:
            s, e = a.span(tok)
            if holds_digits(s, e):
                components.append((None, tok.level, s, e))
            else:
                components.append((Span(tok.level, text[s:e], s, e), tok.level, s, e))
        if tok.level not in _NOT_VALUES:
            first.setdefault(tok.level, a.span(tok))
    values = dict(result.values)
    value_numbers: list[tuple[str, int]] = []
    for level, (s, e) in first.items():
        if holds_digits(s, e):
            value_numbers.append((level, number_of(level, s, e)))
            values.pop(level, None)
    # the canonical text, piece by piece as rules.render builds it
    pieces: list[str | tuple[int, str]] = []
    chain: set[str] = set()
    head = []
    for level in DIVISION_LEVELS:
        code = a.codes.get(level)
        if code and level not in chain:
            d = gz.divisions.get(code)
            if d is not None:
                head.append(d.name)
                chain.add(level)
    pending_head = "".join(head)
    for tok in a.tokens:
        level = tok.level
        if level in chain:
            if pending_head:
                pieces.append(pending_head)
                pending_head = ""
            continue
        if level == "redundant":
            continue
        s, e = a.span(tok)
        if level in _NOT_VALUES:
            if tok.kind == "name":
                pieces.append(tok.value)
            elif holds_digits(s, e):
                if a.cleaned[tok.start : tok.end] != clean(text[s:e])[0]:
                    return None
                pieces.append((number_of("", s, e), ""))
            else:
                pieces.append(a.cleaned[tok.start : tok.end])
        elif holds_digits(s, e):
            pieces.append((number_of(level, s, e), level))
        else:
            pieces.append(render_one(level, tok.value))
    if pending_head:
        pieces.insert(0, pending_head)
    shape = Shape(components, numbers, values, value_numbers, pieces, dict(a.codes), label_spans(a))
    shape.fixed = [sp for sp, _level, _s, _e in components]
    shape.rebuilt = [(j, level, s, e) for j, (sp, level, s, e) in enumerate(components) if sp is None]
    shape.template = _template(shape, text)
    check = _apply(shape, text)
    same = (
        check.normalised == result.normalised
        and check.components == result.components
        and check.values == result.values
        and check.codes == result.codes
    )
    return shape if same else None


def _template(shape: Shape, text: str) -> str:
    """The pieces as one format string over the numbers. A building renders as N号楼 when its
    value is a number, as itself otherwise (A座): which of the two holds is the same for every text
    of one shape."""
    out = []
    for piece in shape.pieces:
        if isinstance(piece, str):
            out.append(piece.replace("{", "{{").replace("}", "}}"))
            continue
        i, level = piece
        if level == "building":
            level_, s, e, _ds, _de = shape.numbers[i]
            out.append(f"{{{i}}}号楼" if _number(level_, text, s, e).isdigit() else f"{{{i}}}")
        elif level:
            out.append(render_one(level, "\x00").replace("\x00", f"{{{i}}}", 1))
        else:
            out.append(f"{{{i}}}")
    return "".join(out)


def spans_of(text: str, spans: list[tuple[str, int, int]]) -> list[Span]:
    return [Span(label, text[s:e], s, e) for label, s, e in spans]


__all__: list[Any] = ["Result", "Shape", "full", "mark_recurring", "parse_shaped", "shape_of", "spans_of"]
