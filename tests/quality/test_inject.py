"""The error injector (``quality.inject``) on a small demo county: it writes the records its answer
key names, with every category covered, genuinely wrong by the pure validators; it is
deterministic for a seed; and ``match`` scores findings as the evaluation describes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction

from tests.conftest import ensure_code_lists
from ybss.collection.models import Photo, Submission, SubmissionEffect
from ybss.core.identifiers import check_credit_code, check_id_number, check_phone
from ybss.demo.common import REFERENCE_DATE
from ybss.demo.generate import generate
from ybss.demo.load import demo_password_hash, load
from ybss.quality.findings import CATEGORIES, Finding
from ybss.quality.inject import inject_errors, match
from ybss.registry import rules
from ybss.registry.models import House, Person, Residence, Unit

TODAY = REFERENCE_DATE
SCALE = 0.005  # 734 addresses, 1,094 people, 4 units: enough room for three errors of each kind


@pytest.fixture
def demo_county(db) -> None:
    ensure_code_lists()
    load(generate(SCALE, 5), password_hash=demo_password_hash(5))


class Rollback(Exception):
    pass


def _record(record_type: str, pk: int) -> Any:
    return apps.get_model(record_type)._default_manager.filter(pk=pk).first()


def _natural(record_type: str, pk: int) -> Any:
    """What identifies a record independently of its id (ids of new rows differ between runs on
    PostgreSQL, whose sequences do not roll back)."""
    r = _record(record_type, pk)
    if record_type == "registry.person":
        return (r.id_number, r.name)
    if record_type == "registry.residence":
        return (r.person.id_number, r.house_id, r.residence_type)
    if record_type == "registry.unit":
        return (r.name, r.credit_code, r.address.code)
    if record_type == "addresses.standardaddress":
        return r.code
    if record_type == "collection.submission":
        return str(r.client_id)
    return (record_type, pk)  # houses: the injector never creates one


def _canonical(key: dict[str, Any]) -> list[Any]:
    return [
        (
            a["category"],
            a["variant"],
            _natural(a["record_type"], a["record_id"]),
            [_natural(t, i) for t, i in a["related"]],
        )
        for a in key["answers"]
    ]


def test_every_category_is_injected_and_every_answer_record_exists(demo_county):
    key = inject_errors(seed=3, per_category=3, today=TODAY)
    assert key["seed"] == 3 and key["per_category"] == 3
    assert key["categories_without_answers"] == []
    counts = key["counts"]
    assert set(counts) == set(CATEGORIES)
    assert all(counts[c] >= 3 for c in CATEGORIES), counts
    for a in key["answers"]:
        assert set(a) >= {"category", "record_type", "record_id", "related"}
        assert _record(a["record_type"], a["record_id"]) is not None, a
        for t, pk in a["related"]:
            assert _record(t, pk) is not None, (a, t, pk)
    for d in key["decoys"]:
        assert _record(d["record_type"], d["record_id"]) is not None, d
    dup = [a for a in key["answers"] if a["category"] == "duplicate_person"]
    assert all(a["related"] and a["related"][0][0] == "registry.person" for a in dup)
    copies = {a["record_id"] for a in dup}
    assert Residence.objects.filter(person_id__in=copies, active=True).count() == len(copies)


def test_rule_errors_are_really_errors(demo_county):
    """Each rule answer fails the pure validator of DOMAIN.md §5 it is about."""
    key = inject_errors(seed=4, per_category=3, today=TODAY)
    by_cat: dict[str, list[dict[str, Any]]] = {}
    for a in key["answers"]:
        by_cat.setdefault(a["category"], []).append(a)
    for a in by_cat["id_invalid"]:
        r = _record(a["record_type"], a["record_id"])
        number = r.id_number if isinstance(r, Person) else r.legal_rep_id_number
        assert not check_id_number(number, today=TODAY).ok, number
    for a in by_cat["id_mismatch"]:
        p = Person.objects.get(pk=a["record_id"])
        check = check_id_number(
            p.id_number, today=TODAY, expected_sex=p.sex, expected_birth_date=p.birth_date
        )
        assert {f.code for f in check.findings} & {"id.sex_mismatch", "id.birth_mismatch"}, p.id_number
    for a in by_cat["phone_invalid"]:
        r = _record(a["record_type"], a["record_id"])
        values = [r.phone, r.phone2] if isinstance(r, Person) else [r.legal_rep_phone]
        assert any(v and any(f.is_error for f in check_phone(v)) for v in values), values
    for a in by_cat["credit_code_invalid"]:
        check = check_credit_code(Unit.objects.get(pk=a["record_id"]).credit_code)
        assert not check.ok or check.findings
    for a in by_cat["missing_field"]:
        r = _record(a["record_type"], a["record_id"])
        blank = {
            "registry.house": lambda h: not h.use or not h.house_type,
            "registry.person": lambda p: not p.sex or not p.name,
            "registry.unit": lambda u: not u.category or not u.name,
        }[a["record_type"]]
        assert blank(r)
    for a in by_cat["role_age"]:
        minor = Person.objects.get(pk=a["related"][0][1])
        assert rules.age_on(minor.birth_date, TODAY) < 18
        r = _record(a["record_type"], a["record_id"])
        if isinstance(r, House):
            assert r.landlord_id == minor.pk
        else:
            assert minor.id_number in (r.legal_rep_id_number, r.security_lead_id_number)
    for a in by_cat["residence_rule"]:
        res = Residence.objects.select_related("person").get(pk=a["record_id"])
        assert rules.check_residence_type(res.residence_type, res.person.hukou_division_code, "610524")
    for a in by_cat["rental_no_landlord"]:
        h = House.objects.get(pk=a["record_id"])
        assert h.use == "rented" and h.landlord_id is None
    for a in by_cat["unit_address_inactive"]:
        u = Unit.objects.select_related("address").get(pk=a["record_id"])
        assert u.address.status == "voided" or u.address.clean_state == "merged"
    for a in by_cat["overcrowded"]:
        h = House.objects.get(pk=a["record_id"])
        n = Residence.objects.filter(house=h, active=True).count()
        assert rules.check_occupancy(h.area, n), (h.area, n)


def test_field_work_is_written_with_its_provenance(demo_county):
    key = inject_errors(seed=5, per_category=3, today=TODAY)
    fake = [a for a in key["answers"] if a["record_type"] == "collection.submission"]
    assert {a["category"] for a in fake} >= {"fake_speed", "fake_night", "fake_gps_far", "fake_photo_reuse"}
    assert key["submissions"]["household"] > len(fake)  # honest work around the fakes
    for a in fake:
        sub = Submission.objects.get(pk=a["record_id"])
        assert sub.division_id and sub.police_unit_id and sub.door_id
        effects = set(SubmissionEffect.objects.filter(submission=sub).values_list("record_type", "record_id"))
        assert {(t, i) for t, i in a["related"]} == effects
    photo = [a["record_id"] for a in fake if a["category"] == "fake_photo_reuse"]
    shas = Photo.objects.filter(submission_id__in=photo).values_list("sha256", flat=True)
    assert len(set(shas)) < len(photo)  # one photo on several households
    night = [a for a in fake if a["category"] == "fake_night"]
    beijing = dt.timezone(dt.timedelta(hours=8))
    for a in night:
        assert Submission.objects.get(pk=a["record_id"]).finished_at.astimezone(beijing).hour < 5


def test_the_same_seed_injects_the_same_errors(demo_county):
    keys = []
    for _run in range(2):
        try:
            with transaction.atomic():
                key = inject_errors(seed=7, per_category=3, today=TODAY)
                keys.append((_canonical(key), key["decoys"].__len__(), key["submissions"]))
                raise Rollback
        except Rollback:
            pass
    assert keys[0] == keys[1]
    with transaction.atomic():
        other = inject_errors(seed=8, per_category=3, today=TODAY)
        assert _canonical(other) != keys[0][0]


def test_match_counts_precision_and_recall_per_category():
    answers = [
        {"category": "id_invalid", "record_type": "registry.person", "record_id": 1, "related": []},
        {"category": "id_invalid", "record_type": "registry.person", "record_id": 2, "related": []},
        {
            "category": "duplicate_person",
            "record_type": "registry.person",
            "record_id": 10,
            "related": [["registry.person", 11]],
        },
        {
            "category": "fake_speed",
            "record_type": "collection.submission",
            "record_id": 5,
            "related": [["registry.person", 30]],
        },
    ]
    findings = [
        Finding("r", "id_invalid", "registry.person", 1),
        Finding("r", "id_invalid", "registry.person", 3),  # not injected: a false positive
        # the pair reported from the original: matches the copy through ``related``
        Finding("d", "duplicate_person", "registry.person", 11, related=(("registry.person", 10),)),
        # the original paired with someone else: not the injected duplicate
        Finding("d", "duplicate_person", "registry.person", 11, related=(("registry.person", 99),), key="x"),
        # the fabricated submission seen on the person it created
        Finding("s", "fake_speed", "registry.person", 30),
    ]
    scores = match(answers, findings)
    s = scores["id_invalid"]
    assert (s.answers, s.found, s.true_positives, s.answers_found) == (2, 2, 1, 1)
    assert s.precision == 0.5 and s.recall == 0.5 and not s.met
    d = scores["duplicate_person"]
    assert (d.found, d.true_positives, d.recall, d.target) == (2, 1, 1.0, 0.97)
    assert scores["fake_speed"].met
    assert scores["phone_invalid"].precision is None and scores["phone_invalid"].recall is None
