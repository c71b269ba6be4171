"""Reading free-text Chinese addresses: normalise, parse into police levels and CCKS labels.

Public interface (docs: /work/prompts/interfaces.md, "Shared interfaces for issue 4"):

* :class:`Span`, :class:`ParsedAddress` (``types``)
* :func:`normalise` (``normalise``): the canonical form of an address text
* :func:`parse`: components (police levels) with spans, canonical values, and the 21 CCKS labels —
  from the trained tagger (``ner.current_tagger()``) when one is installed, otherwise mapped from
  the components by rule.

Pure apart from the gazetteer, which is read from the database once and cached
(``gazetteer.current()``); pass ``gazetteer=`` to use another one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any

from .gazetteer import Gazetteer, current
from .labels import CCKS_OF, rule_label_spans  # noqa: F401  (CCKS_OF re-exported)
from .normalise import normalise
from .rules import analyse
from .shapes import mark_recurring, parse_shaped, shape_of, spans_of
from .types import CCKS_LABELS, POLICE_LEVELS, ParsedAddress, Span

logger = logging.getLogger(__name__)

__all__ = [
    "CCKS_LABELS",
    "POLICE_LEVELS",
    "ParsedAddress",
    "Span",
    "current_tagger",
    "normalise",
    "parse",
    "parse_many",
    "rule_labels",
]

_tagger_state: list[Any] = [None, -1.0]  # (tagger, when looked up)
TAGGER_CHECK_SECONDS = 1.0


def current_tagger() -> Any:
    """The trained tagger (``ner.current_tagger()``), looked up at most once a second; None when
    no model is installed or the model module is absent."""
    now = time.monotonic()
    if now - _tagger_state[1] < TAGGER_CHECK_SECONDS:
        return _tagger_state[0]
    tagger = None
    try:
        from . import ner

        tagger = ner.current_tagger()
    except ImportError:  # the model is optional
        tagger = None
    except Exception:  # a broken model file must not stop the rules from parsing
        logger.exception("address tagger unavailable; using the rules")
        tagger = None
    _tagger_state[0], _tagger_state[1] = tagger, now
    return tagger


class _Parsed(ParsedAddress):
    """A ParsedAddress whose ``labels`` are computed on first access (most callers — matching,
    imports — never read them, and the trained tagger is much slower than the rules)."""

    def __init__(
        self,
        text: str,
        normalised: str,
        components: list[Span],
        labels: list[Span] | None,
        values: dict[str, str],
        codes: dict[str, str] | None = None,
        *,
        source: tuple[Any, ...] | None = None,
    ) -> None:
        self.text = text
        self.normalised = normalised
        self.components = components
        self._labels = labels
        self.values = values
        self.codes = codes if codes is not None else {}
        self._source = source  # (use_model, label spans or None, analysis or None)

    @property  # type: ignore[override]
    def labels(self) -> list[Span]:
        if self._labels is None:
            self._labels = self._compute_labels()
        return self._labels

    @labels.setter
    def labels(self, value: list[Span] | None) -> None:
        self._labels = value

    def _compute_labels(self) -> list[Span]:
        if self._source is None:
            return []
        use_model, spans, analysis = self._source
        self._source = None
        tagger = current_tagger() if use_model else None
        if tagger is not None:
            return list(tagger.tag(self.text))
        if spans is None:
            spans = rule_label_spans(analysis)
        return spans_of(self.text, spans)


def parse(text: str, *, gazetteer: Gazetteer | None = None, use_model: bool = True) -> ParsedAddress:
    """Parse ``text`` into police-level components and CCKS labels (spans into ``text``).

    Never raises on odd input: what cannot be read is labelled ``other``/``otherinfo`` or left
    out. ``labels`` come from the trained tagger when one is installed (``use_model=False``: always
    from the rules) and are computed when first read.
    """
    text = text or ""
    r = parse_shaped(text, gazetteer if gazetteer is not None else current(), rule_label_spans)
    source = (use_model, r.label_spans, r.analysis)
    return _Parsed(text, r.normalised, r.components, None, r.values, r.codes, source=source)


#: Texts parsed together by :func:`parse_many` (its memory bound: one chunk of keys and results).
BATCH = 4096


def parse_many(
    texts: Iterable[str], *, gazetteer: Gazetteer | None = None, use_model: bool = True, batch: int = BATCH
) -> Iterator[ParsedAddress]:
    """:func:`parse` for each of ``texts``, in order, as a stream.

    Faster than one :func:`parse` call per text on a column of addresses (an import, a batch
    clean): the texts are read in chunks of ``batch``, and a shape (the text with its digits
    blanked) met twice in a chunk is parsed in full only once."""
    gz = gazetteer if gazetteer is not None else current()
    chunk: list[str] = []
    for text in texts:
        chunk.append(text or "")
        if len(chunk) >= batch:
            yield from _parsed_chunk(chunk, gz, use_model)
            chunk = []
    if chunk:
        yield from _parsed_chunk(chunk, gz, use_model)


def _parsed_chunk(chunk: list[str], gz: Gazetteer, use_model: bool) -> Iterator[ParsedAddress]:
    # one result at a time, so that a consumer that drops them keeps few objects alive
    if gz.digit_names:
        keys: list[str | None] = [None] * len(chunk)
    else:
        numerals = not gz.numeral_names
        keys = [shape_of(t, numerals) for t in chunk]
        mark_recurring(keys, gz)  # type: ignore[arg-type]
    for text, key in zip(chunk, keys, strict=True):
        r = parse_shaped(text, gz, rule_label_spans, key)
        yield _Parsed(
            text,
            r.normalised,
            r.components,
            None,
            r.values,
            r.codes,
            source=(use_model, r.label_spans, r.analysis),
        )


def rule_labels(text: str) -> list[Span]:
    """The rule-based CCKS labels of ``text`` (ignoring any trained model)."""
    gz = current()
    return spans_of(text, rule_label_spans(analyse(text, gz)))
