"""The per-collector risk summary: who to spot-check first."""

from __future__ import annotations

from ybss.quality.findings import Finding
from ybss.quality.risk import DEFAULT_WEIGHTS, collector_risk, weight_of


def f(
    category: str, pk: int, collector: int | None, score: float = 1.0, rtype: str = "registry.person"
) -> Finding:
    return Finding(
        rule=f"test.{category}",
        category=category,
        record_type=rtype,
        record_id=pk,
        score=score,
        collector_id=collector,
    )


def test_counts_records_and_share_per_collector():
    findings = [
        f("fake_shared_phone", 1, 7),
        f("fake_shared_phone", 2, 7),
        f("fake_placeholder_name", 2, 7),  # the same record twice: one flagged record
        f("phone_invalid", 9, 8),
    ]
    [seven, eight] = collector_risk(findings, {7: 100, 8: 50, 9: 10})
    assert seven.collector_id == 7
    assert seven.counts == {"fake_placeholder_name": 1, "fake_shared_phone": 2}
    assert seven.findings == 3 and seven.fabrication == 3 and seven.flagged_records == 2
    assert seven.records == 100 and seven.share_flagged == 0.02
    assert eight.counts == {"phone_invalid": 1} and eight.fabrication == 0 and eight.share_flagged == 0.02


def test_signs_of_fabrication_outrank_carelessness():
    careless = [f("phone_invalid", i, 1) for i in range(30)] + [
        f("missing_field", 100 + i, 1) for i in range(30)
    ]
    faking = [f("fake_id_pattern", 200 + i, 2) for i in range(4)] + [f("fake_gps_far", 300, 2, rtype="x")]
    ranked = collector_risk(careless + faking)
    assert [r.collector_id for r in ranked] == [2, 1]
    assert ranked[0].top_category in ("fake_id_pattern", "fake_gps_far")


def test_several_kinds_of_signs_outrank_many_of_one_kind():
    one_kind = [f("fake_text_reuse", i, 1) for i in range(40)]
    several = [
        f(cat, 100 + i, 2)
        for i, cat in enumerate(("fake_speed", "fake_night", "fake_photo_reuse", "fake_gps_far"))
    ]
    assert [r.collector_id for r in collector_risk(one_kind + several)] == [2, 1]


def test_weak_findings_weigh_less():
    strong = collector_risk([f("fake_speed", 1, 1, score=1.0)])[0]
    weak = collector_risk([f("fake_speed", 1, 1, score=0.2)])[0]
    assert strong.score > weak.score > 0


def test_share_breaks_a_tie_and_unknown_collectors_are_ignored():
    findings = [f("fake_night", 1, 1), f("fake_night", 2, 2), f("fake_night", 3, None)]
    ranked = collector_risk(findings, {1: 1000, 2: 10})
    assert [r.collector_id for r in ranked] == [2, 1]
    assert ranked[0].share_flagged == 0.1
    assert all(r.collector_id is not None for r in ranked)


def test_without_record_counts_the_share_is_unknown():
    [r] = collector_risk([f("fake_night", 1, 5)])
    assert r.records is None and r.share_flagged is None


def test_weights_can_be_given():
    findings = [f("fake_text_reuse", 1, 1), f("fake_gps_far", 2, 2)]
    assert collector_risk(findings)[0].collector_id == 2
    assert collector_risk(findings, weights={**DEFAULT_WEIGHTS, "fake_text_reuse": 10.0})[0].collector_id == 1
    assert weight_of("duplicate_person") == 0.5 and weight_of("id_invalid") == 0.3


def test_no_findings_no_rows():
    assert collector_risk([], {1: 10}) == []
