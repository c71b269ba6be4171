"""The trainable address tagger for the 21 labels of the public address-parsing set (pure).

* :func:`read_bio` reads a BIO file (one token and its tag a line, a blank line between
  addresses) into ``(text, per-character tags)``.
* :func:`train` learns a linear-chain CRF (CRFsuite, L-BFGS with L1+L2) over the features of
  :mod:`.ner_features` from a file the user names and writes one model file (the CRF, its
  lexicon and trigger characters, its format and feature versions) — by default under
  ``settings.DATA_DIR / "models"``, outside the repository: neither the labelled data nor a model
  trained on it is part of ybss.
* :func:`current_tagger` loads the installed model once and reloads it when the file changes;
  ``None`` when none is installed or it cannot be read (the parser then uses its rules).
* :func:`evaluate` scores a tagger on a BIO file: entity-level exact-match (span and label)
  micro precision/recall/F1 and the same per label, counted as conlleval counts them.

Why a CRF and not a neural tagger: on this machine class (two CPU cores, no GPU, no pretrained
model downloads) a feature-rich CRF trains in a few minutes and tags thousands of addresses a
second; see docs/benchmarks.md for the measured F1 and what was tried.

No ORM: the only Django touches are ``settings.DATA_DIR`` for the default model path and
gettext for messages.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .ner_entities import entities_of, score
from .ner_features import (
    FEATURE_VERSION,
    Lexicon,
    Token,
    Triggers,
    division_gazetteer,
    lexicon_string,
    token_features,
    tokenize,
)
from .ner_io import BioFormatError, read_bio
from .types import Span

__all__ = [
    "DEFAULTS",
    "FORMAT_VERSION",
    "BioFormatError",
    "Tagger",
    "current_tagger",
    "default_model_path",
    "evaluate",
    "fit",
    "read_bio",
    "train",
]

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MODEL_FILENAME = "address_ner.model"
#: Training options. c1/c2 were chosen by cross-validation on the training split only (one
#: held-out fifth); 100 L-BFGS iterations score the same as 300 there, in a third of the time.
DEFAULTS: dict[str, Any] = {
    "c1": 0.05,
    "c2": 0.01,
    "max_iterations": 100,
    "folds": 5,
}

Progress = Callable[[str], None]


def default_model_path() -> Path:
    """Where :func:`train` writes and :func:`current_tagger` looks by default:
    ``DATA_DIR/models/address_ner.model``."""
    from django.conf import settings

    return Path(settings.DATA_DIR) / "models" / MODEL_FILENAME


def _tokens(text: str) -> list[Token]:
    """The tokens the tagger labels: white space is skipped (an entity may still span it)."""
    return [t for t in tokenize(text) if t.kind != "S"]


def token_tags(tokens: Sequence[Token], char_tags: Sequence[str]) -> list[str]:
    """The tag of each token: the tag of its first character (a token straddles two entities
    only for a handful of numbers glued together in the labelled set)."""
    return [char_tags[t.start] for t in tokens]


def _spans(tokens: Sequence[Token], tags: Sequence[str], text: str) -> list[Span]:
    """Token tags → spans into ``text`` (an I- without its B- opens an entity, as in conlleval)."""
    out = []
    for label, a, b in entities_of(tags):
        start, end = tokens[a].start, tokens[b - 1].end
        out.append(Span(label=label, text=text[start:end], start=start, end=end))
    return out


class Tagger:
    """A trained model: the CRF, the lexicon of training entities and the trigger characters.

    ``tag`` may be called from several threads (each thread opens its own CRFsuite tagger)."""

    def __init__(
        self,
        *,
        crf_bytes: bytes,
        lexicon: Lexicon,
        triggers: Triggers,
        meta: dict[str, Any],
        path: Path | None = None,
    ) -> None:
        import pycrfsuite

        self.crf_bytes = crf_bytes
        self.lexicon = lexicon
        self.triggers = triggers
        self.meta = meta
        self.path = path
        self.gazetteer = division_gazetteer()
        self._pycrfsuite = pycrfsuite
        self._local = threading.local()

    def _crf(self) -> Any:
        crf = getattr(self._local, "crf", None)
        if crf is None:
            crf = self._pycrfsuite.Tagger()
            crf.open_inmemory(self.crf_bytes)
            self._local.crf = crf
        return crf

    def features(self, tokens: Sequence[Token]) -> list[list[str]]:
        return token_features(tokens, lexicon=self.lexicon, triggers=self.triggers, gazetteer=self.gazetteer)

    def tag(self, text: str) -> list[Span]:
        """The labelled spans of ``text``, in order, offsets into ``text`` as given."""
        tokens = _tokens(text)
        if not tokens:
            return []
        return _spans(tokens, self._crf().tag(self.features(tokens)), text)

    def save(self, path: Path) -> Path:
        """Write the model as one zip file, atomically (a reader never sees half a model)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("meta.json", json.dumps(self.meta, ensure_ascii=False, indent=1))
            zf.writestr("lexicon.json", json.dumps(self.lexicon.to_json(), ensure_ascii=False))
            zf.writestr("triggers.json", json.dumps(self.triggers.ends, ensure_ascii=False))
            zf.writestr("crf.bin", self.crf_bytes)
        tmp.replace(path)
        self.path = path
        return path

    @classmethod
    def load(cls, path: Path | str) -> Tagger:
        """Read a model written by :meth:`save`. ``ValueError`` when the file is not one, or is of
        a format or feature version this code does not read (retrain it)."""
        path = Path(path)
        try:
            with zipfile.ZipFile(path) as zf:
                meta = json.loads(zf.read("meta.json"))
                if meta.get("format") != FORMAT_VERSION or meta.get("features") != FEATURE_VERSION:
                    raise ValueError(
                        f"{path}: model format {meta.get('format')!r}/features {meta.get('features')!r}, "
                        f"this code reads {FORMAT_VERSION}/{FEATURE_VERSION}: retrain it"
                    )
                lexicon = Lexicon.from_json(json.loads(zf.read("lexicon.json")))
                triggers = Triggers(json.loads(zf.read("triggers.json")))
                crf_bytes = zf.read("crf.bin")
        except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path} is not an address tagger model: {exc}") from exc
        tagger = cls(crf_bytes=crf_bytes, lexicon=lexicon, triggers=triggers, meta=meta, path=path)
        try:
            tagger._crf()
        except Exception as exc:  # CRFsuite says only "cannot open" for a damaged model
            raise ValueError(f"{path}: the CRF in the model cannot be read: {exc}") from exc
        return tagger


def _prepare(sentences: Sequence[tuple[str, list[str]]]) -> list[tuple[list[Token], list[str]]]:
    out = []
    for text, tags in sentences:
        tokens = _tokens(text)
        if tokens:
            out.append((tokens, token_tags(tokens, tags)))
    return out


def _entity_keys(tokens: Sequence[Token], tags: Sequence[str]) -> Iterable[tuple[str, str]]:
    for label, a, b in entities_of(tags):
        yield lexicon_string(tokens[a:b]), label


def _lexicon(prepared: Iterable[tuple[list[Token], list[str]]]) -> Lexicon:
    prepared = list(prepared)
    return Lexicon.build(
        (e for tokens, tags in prepared for e in _entity_keys(tokens, tags)),
        texts=(lexicon_string(tokens) for tokens, _tags in prepared),
    )


def _training_items(
    prepared: Sequence[tuple[list[Token], list[str]]], *, folds: int, triggers: Triggers
) -> list[list[list[str]]]:
    """Features of every training address, each computed with the lexicon of the *other* folds
    (jack-knifing: at run time most names are not in the lexicon either)."""
    gazetteer = division_gazetteer()
    folds = max(2, min(folds, len(prepared)))
    lexicons = [_lexicon(p for i, p in enumerate(prepared) if i % folds != k) for k in range(folds)]
    return [
        token_features(tokens, lexicon=lexicons[i % folds], triggers=triggers, gazetteer=gazetteer)
        for i, (tokens, _tags) in enumerate(prepared)
    ]


def fit(
    sentences: Sequence[tuple[str, list[str]]], *, progress: Progress | None = None, **options: Any
) -> Tagger:
    """Train a tagger in memory on ``(text, character tags)`` pairs; ``options`` override
    :data:`DEFAULTS`. ``BioFormatError`` when there are fewer than two labelled addresses."""
    import pycrfsuite

    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown training options: {sorted(unknown)}")
    opts = {**DEFAULTS, **options}
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    prepared = _prepare(sentences)
    if len(prepared) < 2 or not any(t != "O" for _tokens, tags in prepared for t in tags):
        raise BioFormatError(fields={"file": [_("At least two labelled addresses are needed to train.")]})
    triggers = Triggers.build(prepared)
    items = _training_items(prepared, folds=int(opts["folds"]), triggers=triggers)
    lexicon = _lexicon(prepared)
    say(
        _("Features ready: %(addresses)d addresses, %(entries)d lexicon entries.")
        % {"addresses": len(prepared), "entries": len(lexicon.entries)}
    )
    trainer = pycrfsuite.Trainer(verbose=False)
    for xseq, (_tokens, yseq) in zip(items, prepared, strict=True):
        trainer.append(xseq, yseq)
    del items
    trainer.set_params(
        {
            "c1": float(opts["c1"]),
            "c2": float(opts["c2"]),
            "max_iterations": int(opts["max_iterations"]),
            "feature.possible_transitions": True,
        }
    )
    with tempfile.TemporaryDirectory(prefix="ybss-ner-") as tmp:
        model_file = Path(tmp) / "crf.bin"
        trainer.train(str(model_file))
        crf_bytes = model_file.read_bytes()
    seconds = round(time.perf_counter() - started, 1)
    meta = {
        "format": FORMAT_VERSION,
        "features": FEATURE_VERSION,
        "kind": "crfsuite",
        "options": opts,
        "addresses": len(prepared),
        "labels": sorted({t[2:] for _tok, tags in prepared for t in tags if t != "O"}),
        "seconds": seconds,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    say(_("Trained in %(seconds)s s.") % {"seconds": seconds})
    return Tagger(crf_bytes=crf_bytes, lexicon=lexicon, triggers=triggers, meta=meta)


def train(
    path: str | Path, out: Path | None = None, *, progress: Progress | None = None, **options: Any
) -> Path:
    """Train on the BIO file ``path`` (see :func:`read_bio`) and write the model to ``out``
    (default :func:`default_model_path`); returns the model path. ``BioFormatError`` for a bad
    file, before anything is written."""
    sentences = read_bio(path)
    tagger = fit(sentences, progress=progress, **options)
    tagger.meta["source"] = Path(path).name
    target = Path(out) if out is not None else default_model_path()
    tagger.save(target)
    return target


_cache: dict[str, Any] = {}
_cache_lock = threading.Lock()


def current_tagger(path: Path | None = None) -> Tagger | None:
    """The installed model (default :func:`default_model_path`), loaded once and reloaded when
    its file changes (modification time or size); ``None`` when there is none or it cannot be
    read (logged), so the parser falls back to its rules rather than failing."""
    target = Path(path) if path is not None else default_model_path()
    try:
        st = target.stat()
    except OSError:
        return None
    stamp = (str(target), st.st_mtime_ns, st.st_size)
    with _cache_lock:
        if _cache.get(str(target), (None,))[0] == stamp:
            return _cache[str(target)][1]
        try:
            tagger: Tagger | None = Tagger.load(target)
        except (OSError, ValueError) as exc:
            logger.warning("address tagger not loaded: %s", exc)
            tagger = None
        _cache[str(target)] = (stamp, tagger)
        return tagger


def evaluate(path: str | Path, *, tagger: Any = None) -> dict[str, Any]:
    """Score ``tagger`` (default: the installed model, else the rule-based parser) on a BIO file.

    Entity level, exact span and label, micro-averaged and per label with ``support`` (gold
    count) and ``predicted`` count. Returns a JSON-serialisable dict: ``micro``, ``labels``,
    ``sentences``, ``seconds`` (tagging time), ``addresses_per_second`` and ``model`` (the model
    path, ``"in-memory"``, or ``"rules"``). ``BioFormatError`` for a bad file.
    """
    sentences = read_bio(path)
    if tagger is None:
        tagger = current_tagger()
    if tagger is None:
        from . import rule_labels  # the rules of parsing/__init__; imported late (it imports us)

        predict: Callable[[str], list[Span]] = rule_labels
        model = "rules"
    else:
        predict = tagger.tag
        model = str(getattr(tagger, "path", None) or "in-memory")
    started = time.perf_counter()
    pred = [{(s.label.lower(), s.start, s.end) for s in predict(text)} for text, _tags in sentences]
    seconds = time.perf_counter() - started
    gold = [set(entities_of(tags)) for _text, tags in sentences]
    result = score(gold, pred)
    result.update(
        {
            "sentences": len(sentences),
            "seconds": round(seconds, 3),
            "addresses_per_second": round(len(sentences) / seconds, 1) if seconds > 0 else None,
            "model": model,
        }
    )
    return result
