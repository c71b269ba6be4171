"""Entities from BIO tags and their entity-level scores, as conlleval counts them (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

Entity = tuple[str, int, int]  # (label, start, end) — end exclusive, in tag positions


def entities_of(tags: Sequence[str]) -> list[Entity]:
    """The entities of a BIO tag sequence. As in conlleval, an ``I-X`` that follows ``O`` or
    another label opens a new ``X`` entity rather than being dropped."""
    out: list[Entity] = []
    label: str | None = None
    start = 0
    for i, tag in enumerate(tags):
        prefix, _, name = tag.partition("-")
        if prefix == "B" or (prefix == "I" and name != label):
            if label is not None:
                out.append((label, start, i))
            label, start = name, i
        elif prefix != "I":  # "O" or anything unknown closes the open entity
            if label is not None:
                out.append((label, start, i))
            label = None
    if label is not None:
        out.append((label, start, len(tags)))
    return out


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, Any]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def score(gold: Iterable[set[Entity]], pred: Iterable[set[Entity]]) -> dict[str, Any]:
    """Micro and per-label precision, recall and F1 of exact (label, start, end) matches, per
    label with its ``support`` (gold count) and ``predicted`` count."""
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        for e in g:
            n_gold[e[0]] += 1
        for e in p:
            n_pred[e[0]] += 1
        for e in g & p:
            tp[e[0]] += 1
    labels = {}
    for label in sorted(set(n_gold) | set(n_pred)):
        labels[label] = {
            **_prf(tp[label], n_pred[label], n_gold[label]),
            "support": n_gold[label],
            "predicted": n_pred[label],
        }
    micro = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    micro.update({"support": sum(n_gold.values()), "predicted": sum(n_pred.values())})
    return {"micro": micro, "labels": labels}
