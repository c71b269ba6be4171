"""Spot-check sampling and checker assignment (``supervision.spotchecks``): pure, no database."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ybss.supervision import spotchecks
from ybss.supervision.spotchecks import Candidate, Checker, NoEligibleChecker, ToCheck

STATION_A = "610524501"
STATION_B = "610524503"


def _population(sizes: dict[tuple[str, int, str], int], risky: int = 0) -> list[Candidate]:
    """Candidates per (station, collector, type) stratum; the first ``risky`` of each are risky."""
    out = []
    next_id = 1
    for (station, collector, rtype), n in sizes.items():
        for i in range(n):
            out.append(
                Candidate(
                    rtype, next_id, station + "001", station + "001", collector, 0.95 if i < risky else 0.0
                )
            )
            next_id += 1
    return out


def _picked(result: spotchecks.DrawResult) -> list[tuple[str, int]]:
    return [(d.candidate.record_type, d.candidate.record_id) for d in result.items]


def test_every_non_empty_stratum_is_represented():
    sizes = {
        (STATION_A, 1, "address"): 500,
        (STATION_A, 1, "person"): 3,
        (STATION_A, 2, "house"): 40,
        (STATION_B, 3, "unit"): 1,
        (STATION_B, 3, "person"): 900,
        (STATION_B, 4, "address"): 7,
    }
    result = spotchecks.draw(_population(sizes), sample_size=20, seed=1)
    per = Counter(d.stratum for d in result.items)
    assert len(result.items) == 20
    assert set(per) == {spotchecks.stratum_key(c, spotchecks.DEFAULT_BY) for c in _population(sizes)}
    assert all(n >= 1 for n in per.values())


def test_stratum_sizes_are_proportional():
    sizes = {(STATION_A, 1, "address"): 100, (STATION_A, 2, "address"): 300, (STATION_B, 3, "address"): 600}
    result = spotchecks.draw(_population(sizes), sample_size=100, seed=2)
    per = Counter((d.candidate.police_unit[:9], d.candidate.collector_id) for d in result.items)
    assert per == {(STATION_A, 1): 10, (STATION_A, 2): 30, (STATION_B, 3): 60}
    assert [s.sample for s in result.strata] == [10, 30, 60]


def test_the_stratum_key_names_station_collector_and_type():
    c = Candidate("house", 7, "610524501002", "610524001003", 12)
    assert spotchecks.stratum_key(c, spotchecks.DEFAULT_BY) == "610524501|collector:12|house"
    assert spotchecks.stratum_key(c, ("district",)) == "610524501002"
    assert spotchecks.stratum_key(c._replace(collector_id=None), ("collector",)) == "collector:-"
    assert spotchecks.stratum_key(c, ()) == "*"


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.integers(0, 60), max_size=12),
    n=st.integers(0, 400),
    seed=st.integers(0, 2**32),
)
def test_allocation_adds_up_and_gives_every_stratum_one_when_it_can(sizes, n, seed):
    alloc = spotchecks.allocate(sizes, n, random.Random(seed))
    total = sum(sizes.values())
    live = [k for k, s in sizes.items() if s > 0]
    assert sum(alloc.values()) == min(n, total)
    assert all(0 <= alloc[k] <= sizes[k] for k in sizes)
    if min(n, total) >= len(live):
        assert all(alloc[k] >= 1 for k in live)
    else:
        assert all(alloc[k] <= 1 for k in sizes)


def test_a_sample_smaller_than_the_strata_takes_one_from_as_many_strata():
    sizes = {f"s{i}": 10 * (i + 1) for i in range(8)}
    alloc = spotchecks.allocate(sizes, 3, random.Random(5))
    assert sorted(alloc.values()) == [0, 0, 0, 0, 0, 1, 1, 1]
    assert alloc == spotchecks.allocate(sizes, 3, random.Random(5))


def test_the_same_seed_draws_the_same_sample_in_any_input_order():
    population = _population({(STATION_A, 1, "address"): 300, (STATION_B, 2, "person"): 200}, risky=30)
    first = spotchecks.draw(population, sample_size=25, seed=42, risk_weight=2.0)
    shuffled = population[:]
    random.Random(9).shuffle(shuffled)
    again = spotchecks.draw(shuffled, sample_size=25, seed=42, risk_weight=2.0)
    assert _picked(first) == _picked(again)
    assert first.describe() == again.describe()


def test_another_seed_draws_another_sample():
    population = _population({(STATION_A, 1, "address"): 300})
    assert _picked(spotchecks.draw(population, sample_size=25, seed=1)) != _picked(
        spotchecks.draw(population, sample_size=25, seed=2)
    )


def test_risk_weighting_raises_the_chance_of_risky_records():
    """One stratum of 1000 records, 100 of them risky (risk 0.95). Without weight a risky record
    makes up about 10% of a sample; with risk_weight 4 (weight 4.8) about a third."""
    population = _population({(STATION_A, 1, "person"): 1000}, risky=100)
    risky = {(c.record_type, c.record_id) for c in population if c.risk > 0}

    def share(risk_weight: float) -> float:
        drawn = [
            key
            for seed in range(200)
            for key in _picked(
                spotchecks.draw(population, sample_size=30, seed=seed, risk_weight=risk_weight)
            )
        ]
        return sum(key in risky for key in drawn) / len(drawn)

    unweighted, weighted = share(0.0), share(4.0)
    assert 0.08 < unweighted < 0.12
    assert weighted > 0.30
    assert weighted > 2.5 * unweighted


def test_drawn_items_carry_their_weight():
    population = _population({(STATION_A, 1, "person"): 3}, risky=1)
    result = spotchecks.draw(population, sample_size=3, seed=1, risk_weight=2.0)
    assert sorted(d.weight for d in result.items) == [1.0, 1.0, 2.9]
    assert result.strata[0].risky == 1


def test_record_risk_grows_with_problems_and_stays_below_one():
    assert spotchecks.record_risk([]) == 0.0
    rule = spotchecks.record_risk([("phone_invalid", 1.0)])
    fake = spotchecks.record_risk([("fake_id_pattern", 1.0)])
    both = spotchecks.record_risk([("fake_id_pattern", 1.0), ("phone_invalid", 1.0)])
    assert 0 < rule < fake < both < 1


def test_collector_risk_is_scaled_to_the_riskiest_and_combined_as_chances():
    assert spotchecks.collector_risks({1: 4.0, 2: 1.0, 3: 0.0}) == {1: 1.0, 2: 0.25, 3: 0.0}
    assert spotchecks.collector_risks({}) == {}
    assert spotchecks.combine_risk(0.5, 0.5) == 0.75
    assert spotchecks.combine_risk(0.0, 0.0) == 0.0


# --- checkers --------------------------------------------------------------------------------


def _officer(pk: int, district: str, load: int = 0) -> Checker:
    return Checker(pk, "officer", district, "", load)


def test_a_checker_of_the_record_station_is_preferred_to_the_county():
    item = ToCheck(collector_id=1, police_unit=STATION_A + "001", division="610524001003")
    county = Checker(9, "supervisor", "610524")
    officer = _officer(5, STATION_A + "001", load=3)
    assert spotchecks.assign_checkers([item], [county, officer]) == [5]


def test_the_county_checks_when_nobody_in_the_station_may():
    item = ToCheck(collector_id=5, police_unit=STATION_A + "001", division="610524001003")
    county = Checker(9, "supervisor", "610524")
    assert spotchecks.assign_checkers([item], [county, _officer(5, STATION_A + "001")]) == [9]


def test_an_officer_of_another_district_may_not_check():
    item = ToCheck(1, STATION_A + "001", "610524001003")
    assert not spotchecks.may_check(_officer(3, STATION_A + "002"), item)
    assert spotchecks.may_check(Checker(3, "collector", "", "610524001"), item)  # by division


def test_load_is_balanced_between_the_station_checkers():
    items = [ToCheck(1, STATION_A + "001", "610524001003")] * 30
    checkers = [
        _officer(2, STATION_A + "001"),
        _officer(3, STATION_A + "001"),
        Checker(4, "chief", STATION_A),
    ]
    assert Counter(spotchecks.assign_checkers(items, checkers)) == {2: 10, 3: 10, 4: 10}


def test_existing_open_checks_count_in_the_load():
    items = [ToCheck(1, STATION_A + "001", "610524001003")] * 4
    checkers = [_officer(2, STATION_A + "001", load=4), _officer(3, STATION_A + "001")]
    assert spotchecks.assign_checkers(items, checkers) == [3, 3, 3, 3]


def test_nobody_may_check_raises_with_the_item():
    items = [ToCheck(1, STATION_A + "001", "x"), ToCheck(2, STATION_B + "001", "y")]
    with pytest.raises(NoEligibleChecker) as err:
        spotchecks.assign_checkers(items, [_officer(1, STATION_A + "001"), _officer(2, STATION_A + "001")])
    assert err.value.index == 1


units = st.sampled_from(
    ["610524", STATION_A, STATION_A + "001", STATION_A + "002", STATION_B, STATION_B + "001"]
)
leaf_units = st.sampled_from([STATION_A + "001", STATION_A + "002", STATION_B + "001"])


@settings(max_examples=300, deadline=None)
@given(
    checkers=st.lists(
        st.builds(
            Checker,
            user_id=st.integers(1, 8),
            role=st.sampled_from(["officer", "chief", "supervisor"]),
            unit_prefix=units,
            division_prefix=st.sampled_from(["", "610524001", "610524101"]),
            load=st.integers(0, 5),
        ),
        max_size=6,
        unique_by=lambda c: c.user_id,
    ),
    items=st.lists(
        st.builds(
            ToCheck,
            collector_id=st.one_of(st.none(), st.integers(1, 8)),
            police_unit=leaf_units,
            division=st.sampled_from(["610524001003", "610524101201"]),
        ),
        max_size=20,
    ),
)
def test_the_checker_is_never_the_collector(checkers, items):
    try:
        assigned = spotchecks.assign_checkers(items, checkers)
    except NoEligibleChecker as err:
        stuck = items[err.index]
        assert not any(spotchecks.may_check(c, stuck) for c in checkers)
        return
    by_id = {c.user_id: c for c in checkers}
    for item, checker_id in zip(items, assigned, strict=True):
        assert checker_id != item.collector_id
        assert spotchecks.may_check(by_id[checker_id], item)


def test_record_fields_name_model_fields():
    from django.apps import apps

    for rtype, names in spotchecks.RECORD_FIELDS.items():
        meta = apps.get_model(spotchecks.RECORD_LABELS[rtype])._meta
        for name in names:
            meta.get_field(name)
