"""Who to spot-check first (纠错治假): a risk summary per collector from the quality findings.

Pure: findings in, a ranked list out. The caller supplies how many records each collector is
responsible for (``signals.records_by_collector``, or a scoped selector of its own) to turn
counts into a share; without it the share is unknown and the ranking uses the score alone.

The score adds, per category, the category's weight times log2(1 + the sum of the finding
scores): the tenth finding of one kind adds less than the first of another, so a collector with
several kinds of warning signs ranks above one with many findings of a single, weak kind. Signs
of fabrication weigh most; record-rule and duplicate findings count a little (carelessness is
worth a look too, but it is not fabrication).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .findings import Finding, category_group

#: Weight per category: how strongly one confident finding points at fabrication.
DEFAULT_WEIGHTS: dict[str, float] = {
    "fake_id_pattern": 3.0,
    "fake_shared_phone": 2.0,
    "fake_placeholder_name": 2.0,
    "fake_same_birthdates": 2.5,
    "fake_speed": 2.5,
    "fake_night": 2.0,
    "fake_gps_far": 3.0,
    "fake_text_reuse": 1.5,
    "fake_photo_reuse": 3.0,
}
#: Weights of the other groups (findings.CATEGORIES group → weight).
GROUP_WEIGHTS: dict[str, float] = {"fabrication": 2.0, "duplicate": 0.5, "rule": 0.3}


@dataclass(frozen=True)
class CollectorRisk:
    """One collector's findings: counts per category, distinct records flagged, the records
    they are responsible for (``None`` when not supplied) and the weighted score."""

    collector_id: int
    score: float
    counts: dict[str, int] = field(default_factory=dict)
    findings: int = 0
    flagged_records: int = 0
    records: int | None = None
    share_flagged: float | None = None
    fabrication: int = 0  # findings in the fabrication group
    top_category: str = ""


def weight_of(category: str, weights: Mapping[str, float] | None = None) -> float:
    own = weights if weights is not None else DEFAULT_WEIGHTS
    if category in own:
        return float(own[category])
    group = category_group(category) or "rule"
    return GROUP_WEIGHTS.get(group, 0.3)


def collector_risk(
    findings: Iterable[Finding],
    records: Mapping[int, int] | None = None,
    *,
    weights: Mapping[str, float] | None = None,
) -> list[CollectorRisk]:
    """Collectors with findings, riskiest first (score, then share flagged, then findings).

    ``records`` maps collector id → records they are responsible for; a collector there with no
    finding is left out (nothing to check). Findings without a collector are ignored.
    """
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    mass: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    flagged: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for f in findings:
        if f.collector_id is None:
            continue
        c = f.collector_id
        counts[c][f.category] += 1
        mass[c][f.category] += max(0.0, min(1.0, f.score))
        flagged[c].add((f.record_type, f.record_id))
    out = []
    for c, per in counts.items():
        parts = {cat: weight_of(cat, weights) * math.log2(1 + m) for cat, m in mass[c].items()}
        score = round(sum(parts.values()), 3)
        n_records = records.get(c) if records is not None else None
        n_flagged = len(flagged[c])
        share = round(min(n_flagged / n_records, 1.0), 4) if n_records else None
        fabrication = sum(n for cat, n in per.items() if category_group(cat) == "fabrication")
        top = max(parts, key=lambda cat: (parts[cat], cat)) if parts else ""
        out.append(
            CollectorRisk(
                collector_id=c,
                score=score,
                counts=dict(sorted(per.items())),
                findings=sum(per.values()),
                flagged_records=n_flagged,
                records=n_records,
                share_flagged=share,
                fabrication=fabrication,
                top_category=top,
            )
        )
    out.sort(key=lambda r: (-r.score, -(r.share_flagged or 0.0), -r.findings, r.collector_id))
    return out


__all__ = ["DEFAULT_WEIGHTS", "GROUP_WEIGHTS", "CollectorRisk", "collector_risk", "weight_of"]
