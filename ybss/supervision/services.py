"""Writes of the supervision app (督查通报, DOMAIN.md §8).

Every service takes ``actor`` first, keyword-only, runs in one transaction, checks the actor's
role and jurisdiction (``org.jurisdiction``; out of scope looks like missing: ``NotFound``) and
writes the history of what it changed (``audit.RecordHistory``) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.audit.models import RecordHistory
from ybss.audit.services import history_record
from ybss.core.errors import Conflict, FieldErrors, Forbidden, InvalidInput, NotFound
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, PoliceUnit, Role, User
from ybss.quality.models import ACTIVE_STATES, Problem

from . import spotchecks
from .models import SpotCheckItem, SpotCheckResult, SpotCheckRound, SpotCheckState

# --- spot checks -----------------------------------------------------------------------------
#
# 抽查: draw a round (a stratified, risk-weighted random sample of finished records of a police
# unit's subtree, each with a checker who is not its collector), reassign an item, record the
# result of a check (on the platform or in the field with GPS; a failure opens a problem in the
# quality ledger against the record's collector), close a round. Pure sampling and assignment:
# ``supervision.spotchecks``.

#: Largest sample one round may draw (a county's checkers cannot do more in one go).
SPOT_MAX_SAMPLE = 5000
#: Largest extra weight for quality risk.
SPOT_MAX_RISK_WEIGHT = 100.0
#: Seeds fit a JavaScript number and a signed 64-bit column.
SPOT_MAX_SEED = 2**53 - 1

#: Who may be given records to check: the officers and chiefs who know the ground, and the county
#: supervisors when nobody else may (the admin sees spot checks but does not check).
SPOT_ASSIGNABLE_ROLES = frozenset({Role.OFFICER, Role.CHIEF, Role.SUPERVISOR})

#: Who may record a check instead of its assigned checker.
SPOT_OVERRIDE_ROLES = frozenset({Role.CHIEF, Role.SUPERVISOR})

#: How a check was made.
SPOT_VIA = ("platform", "field")

#: Result → (quality category, rule, severity) of the problem a failure opens.
SPOT_FAILURES: dict[str, tuple[str, str, str]] = {
    SpotCheckResult.WRONG_FIELDS: ("spot_check_wrong", "spot_check.wrong_fields", "warning"),
    SpotCheckResult.FABRICATED: ("spot_check_fabricated", "spot_check.fabricated", "error"),
}
#: The ledger's summary of those problems (the quality categories do not list them).
SPOT_FAILURE_SUMMARIES: dict[str, Any] = {
    "spot_check_wrong": _("Spot check: wrong fields"),
    "spot_check_fabricated": _("Spot check: fabricated record"),
}


@dataclass(frozen=True)
class _SpotVersioned:
    """What ``history_record`` reads of a record: rounds and items have no ``version`` column,
    so their history rows are numbered 1, 2, 3 … in order."""

    _meta: Any
    pk: int
    version: int


def _spot_history(
    *, actor: User, obj: SpotCheckRound | SpotCheckItem, action: str, changes: Mapping[str, Sequence[Any]]
) -> None:
    label = obj._meta.label_lower
    n = RecordHistory.objects.filter(record_type=label, record_id=obj.pk).count()
    history_record(
        actor=actor, record=_SpotVersioned(obj._meta, obj.pk, n + 1), action=action, changes=changes
    )


def _spot_require_drawer(actor: User) -> None:
    if not jurisdiction.can_spot_check(actor):
        raise Forbidden()


def _spot_unit(actor: User, code: str) -> PoliceUnit:
    """The police unit ``code`` when it lies in ``actor``'s police subtree (NotFound otherwise)."""
    own = actor.police_unit
    unit = PoliceUnit.objects.filter(code=code).first() if code else None
    if unit is None or own is None or not unit.prefix.startswith(own.prefix):
        raise NotFound()
    return unit


def _spot_choices(value: Any) -> set[str]:
    """A multiple choice as a set of strings; anything else as a set no choice list holds."""
    if value is None:
        return set()
    if isinstance(value, list | tuple | set | frozenset) and all(isinstance(v, str) for v in value):
        return set(value)
    return {"\x00"}


def _spot_draw_input(
    *,
    name: str,
    police_unit_code: str,
    sample_size: Any,
    by: Sequence[str],
    record_types: Sequence[str],
    risk_weight: Any,
    seed: Any,
    deadline: dt.date | None,
) -> tuple[str, str, int, tuple[str, ...], tuple[str, ...], float, int]:
    errors = FieldErrors()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("This field is required."))
    elif len(name) > 100:
        errors.add("name", _("Ensure this value has at most %(n)d characters.") % {"n": 100})
    code = police_unit_code.strip() if isinstance(police_unit_code, str) else ""
    if not (code.isascii() and code.isdigit() and len(code) == jurisdiction.CODE_LENGTH):
        errors.add("police_unit_code", _("Select a valid choice."))
    size = 0
    if isinstance(sample_size, bool) or not isinstance(sample_size, int):
        errors.add("sample_size", _("Enter a whole number."))
    elif not 1 <= sample_size <= SPOT_MAX_SAMPLE:
        errors.add(
            "sample_size", _("Enter a value between %(lo)s and %(hi)s.") % {"lo": 1, "hi": SPOT_MAX_SAMPLE}
        )
    else:
        size = sample_size
    by_given = _spot_choices(by)
    by_clean = tuple(d for d in spotchecks.BY if d in by_given)
    if by_given - set(spotchecks.BY):
        errors.add("by", _("Select a valid choice."))
    types_given = _spot_choices(record_types)
    types = tuple(t for t in spotchecks.RECORD_TYPES if t in types_given)
    if types_given - set(spotchecks.RECORD_TYPES):
        errors.add("record_types", _("Select a valid choice."))
    elif not types:
        errors.add("record_types", _("Choose at least one kind of record."))
    weight = 0.0
    try:
        weight = float(risk_weight)
        if isinstance(risk_weight, bool) or not math.isfinite(weight):
            raise ValueError
        if not 0 <= weight <= SPOT_MAX_RISK_WEIGHT:
            errors.add(
                "risk_weight",
                _("Enter a value between %(lo)s and %(hi)s.") % {"lo": 0, "hi": int(SPOT_MAX_RISK_WEIGHT)},
            )
    except (TypeError, ValueError):
        errors.add("risk_weight", _("Enter a number."))
    if seed is None:
        seed_clean = secrets.randbelow(SPOT_MAX_SEED) + 1
    elif isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SPOT_MAX_SEED:
        errors.add("seed", _("Enter a value between %(lo)s and %(hi)s.") % {"lo": 0, "hi": SPOT_MAX_SEED})
        seed_clean = 0
    else:
        seed_clean = seed
    if deadline is not None and (not isinstance(deadline, dt.date) or deadline < timezone.localdate()):
        errors.add("deadline", _("The deadline has passed."))
    errors.raise_if_any()
    return name, code, size, by_clean, types, weight, seed_clean


def _spot_candidates(unit: PoliceUnit, record_types: Iterable[str]) -> list[spotchecks.Candidate]:
    """The finished (accepted) records stamped in ``unit``'s subtree, each with its quality risk:
    its own open problems and its collector's risk (``quality.risk.collector_risk`` over the open
    problems of the subtree)."""
    record_risk, collector_risk = _spot_risks(unit)
    out: list[spotchecks.Candidate] = []
    for rtype in record_types:
        label = spotchecks.RECORD_LABELS[rtype]
        model = apps.get_model(label)
        rows = (
            model._default_manager.filter(jurisdiction.subtree_q("police_unit", unit.prefix))
            .filter(status=RecordStatus.ACCEPTED)
            .values_list("pk", "police_unit_id", "division_id", "created_by_id")
        )
        for pk, pu, div, by in rows.iterator(5000):
            r_rec = record_risk.get((label, pk), 0.0)
            r_col = collector_risk.get(by, 0.0) if by is not None else 0.0
            risk = spotchecks.combine_risk(r_rec, r_col) if (r_rec or r_col) else 0.0
            out.append(spotchecks.Candidate(rtype, pk, pu, div, by, risk))
    return out


def _spot_risks(unit: PoliceUnit) -> tuple[dict[tuple[str, int], float], dict[int, float]]:
    """(record label, id) → the record's risk, and collector id → the collector's risk, both in
    [0, 1], from the open problems of ``unit``'s subtree."""
    from ybss.quality import risk as quality_risk
    from ybss.quality.findings import Finding

    rows = (
        Problem.objects.filter(state__in=ACTIVE_STATES)
        .filter(jurisdiction.subtree_q("police_unit", unit.prefix))
        .values_list("collector_id", "category", "rule", "record_type", "record_id", "score")
    )
    per_record: dict[tuple[str, int], list[tuple[str, float]]] = defaultdict(list)
    findings = []
    for collector, category, rule, rtype, rid, score in rows.iterator(5000):
        per_record[(rtype, rid)].append((category, score))
        findings.append(
            Finding(
                rule=rule,
                category=category,
                record_type=rtype,
                record_id=rid,
                score=score,
                collector_id=collector,
            )
        )
    collectors = spotchecks.collector_risks(
        {r.collector_id: r.score for r in quality_risk.collector_risk(findings)}
    )
    return {k: spotchecks.record_risk(v) for k, v in per_record.items()}, collectors


def _spot_division(codes: Iterable[str]) -> AdminDivision | None:
    """The deepest division holding every code in ``codes`` (which is not empty)."""
    found = sorted(set(codes))
    first, last = found[0], found[-1]
    common = 0
    while common < min(len(first), len(last)) and first[common] == last[common]:
        common += 1
    wanted = [first[:n].ljust(jurisdiction.CODE_LENGTH, "0") for n in (12, 9, 6, 4, 2) if n <= common]
    divisions = {d.code: d for d in AdminDivision.objects.filter(code__in=wanted)}
    return next((divisions[c] for c in wanted if c in divisions), None)


def _spot_checkers(unit: PoliceUnit, exclude_ids: Iterable[int] = ()) -> list[spotchecks.Checker]:
    """Active users who see spot checks and whose jurisdiction overlaps ``unit``'s subtree: users
    of units inside it and of its ancestors, with their open checks as their load."""
    ancestors = [unit.prefix[:n] for n in range(1, len(unit.prefix) + 1)]
    users = (
        User.objects.filter(is_active=True, role__in=SPOT_ASSIGNABLE_ROLES)
        .filter(Q(police_unit__prefix__startswith=unit.prefix) | Q(police_unit__prefix__in=ancestors))
        .exclude(pk__in=list(exclude_ids))
        .select_related("police_unit", "division")
        .order_by("pk")
    )
    users_list = list(users)
    load = dict(
        SpotCheckItem.objects.filter(
            result=SpotCheckResult.PENDING,
            round__state=SpotCheckState.OPEN,
            checker__in=[u.pk for u in users_list],
        )
        .values_list("checker_id")
        .annotate(n=Count("pk"))
    )
    return [
        spotchecks.Checker(
            user_id=u.pk,
            role=u.role,
            unit_prefix=u.police_unit.prefix if u.police_unit else "",
            division_prefix=u.division.prefix if u.division else "",
            load=load.get(u.pk, 0),
        )
        for u in users_list
    ]


def _spot_no_checker(field: str = "__all__") -> InvalidInput:
    return InvalidInput(
        code="spot_check.no_checker",
        message=_("Nobody but the record's collector may check this record."),
        fields={field: [_("Nobody but the record's collector may check this record.")]},
    )


@transaction.atomic
def spot_check_draw(
    *,
    actor: User,
    name: str,
    police_unit_code: str,
    sample_size: int,
    by: Sequence[str] = spotchecks.DEFAULT_BY,
    record_types: Sequence[str] = spotchecks.RECORD_TYPES,
    risk_weight: float = 1.0,
    seed: int | None = None,
    deadline: dt.date | None = None,
) -> SpotCheckRound:
    """Draw a spot-check round from the accepted records of ``police_unit_code``'s subtree.

    Only ``SPOT_CHECK_ROLES`` (Forbidden otherwise); the unit must lie in the actor's police
    subtree (NotFound otherwise, as for a unit that does not exist). The sample is stratified by
    ``by``, weighted by quality risk (``risk_weight``) and reproducible from ``seed`` (drawn at
    random when None and stored); every item gets a checker who is not its collector, or nothing
    is saved (``spot_check.no_checker``). An empty population is ``spot_check.nothing_to_sample``.
    """
    _spot_require_drawer(actor)
    name, code, size, by_clean, types, weight, seed_clean = _spot_draw_input(
        name=name,
        police_unit_code=police_unit_code,
        sample_size=sample_size,
        by=by,
        record_types=record_types,
        risk_weight=risk_weight,
        seed=seed,
        deadline=deadline,
    )
    unit = _spot_unit(actor, code)
    candidates = _spot_candidates(unit, types)
    if not candidates:
        raise InvalidInput(
            code="spot_check.nothing_to_sample",
            message=_("There are no finished records of these kinds to sample here."),
            fields={"record_types": [_("There are no finished records of these kinds to sample here.")]},
        )
    result = spotchecks.draw(candidates, sample_size=size, by=by_clean, risk_weight=weight, seed=seed_clean)
    checkers = _spot_checkers(unit)
    try:
        assigned = spotchecks.assign_checkers(
            [
                spotchecks.ToCheck(d.candidate.collector_id, d.candidate.police_unit, d.candidate.division)
                for d in result.items
            ],
            checkers,
        )
    except spotchecks.NoEligibleChecker:
        raise _spot_no_checker("police_unit_code") from None
    division = _spot_division(c.division for c in candidates)
    if division is None:  # records stamped in divisions the table does not hold: nothing to scope by
        raise InvalidInput(code="spot_check.nothing_to_sample")
    now = timezone.now()
    rnd = SpotCheckRound.objects.create(
        name=name,
        sample_size=len(result.items),
        risk_weight=weight,
        seed=seed_clean,
        strata=result.describe(
            by=list(by_clean),
            record_types=list(types),
            requested=size,
            risk_weight=weight,
            seed=seed_clean,
        ),
        deadline=deadline,
        state=SpotCheckState.OPEN,
        created_at=now,
        created_by=actor,
        division=division,
        police_unit=unit,
    )
    SpotCheckItem.objects.bulk_create(
        [
            SpotCheckItem(
                round=rnd,
                record_type=d.candidate.record_type,
                record_id=d.candidate.record_id,
                stratum=d.stratum[:80],
                weight=d.weight,
                risk=d.candidate.risk,
                collector_id=d.candidate.collector_id,
                checker_id=checker_id,
                division_id=d.candidate.division,
                police_unit_id=d.candidate.police_unit,
            )
            for d, checker_id in zip(result.items, assigned, strict=True)
        ],
        batch_size=1000,
    )
    _spot_history(
        actor=actor,
        obj=rnd,
        action="create",
        changes={
            "police_unit": [None, unit.code],
            "sample_size": [None, rnd.sample_size],
            "seed": [None, seed_clean],
            "by": [None, list(by_clean)],
            "record_types": [None, list(types)],
            "risk_weight": [None, weight],
        },
    )
    return rnd


def _spot_item_for_write(actor: User, item: SpotCheckItem | int) -> SpotCheckItem:
    pk = item.pk if isinstance(item, SpotCheckItem) else item
    if not jurisdiction.sees_spot_checks(actor):
        raise NotFound()
    return jurisdiction.get_in_scope(
        SpotCheckItem.objects.select_for_update().select_related("round"), actor, pk=pk
    )


def _spot_require_open(item: SpotCheckItem) -> None:
    if item.round.state != SpotCheckState.OPEN:
        raise InvalidInput(code="spot_check.round_closed", message=_("This spot-check round is closed."))
    if item.result != SpotCheckResult.PENDING:
        raise Conflict(code="spot_check.already_checked", message=_("This record has already been checked."))


@transaction.atomic
def spot_check_assign(*, actor: User, item: SpotCheckItem | int, checker: User | int) -> SpotCheckItem:
    """Give a pending item of an open round to ``checker``.

    Only ``SPOT_CHECK_ROLES``; the item must be in the actor's jurisdiction (NotFound). The
    checker must be active, a ``SPOT_ASSIGNABLE_ROLES`` user who can see the record, and never its
    collector (``spot_check.checker_is_collector``; ``spot_check.checker_invalid`` otherwise).
    """
    _spot_require_drawer(actor)
    it = _spot_item_for_write(actor, item)
    _spot_require_open(it)
    checker_id = checker.pk if isinstance(checker, User) else checker
    if it.collector_id is not None and checker_id == it.collector_id:
        raise InvalidInput(
            code="spot_check.checker_is_collector",
            fields={"checker": [_("The collector of a record may not check it.")]},
        )
    user = (
        User.objects.select_related("police_unit", "division")
        .filter(pk=checker_id, is_active=True, role__in=SPOT_ASSIGNABLE_ROLES)
        .first()
        if isinstance(checker_id, int)
        else None
    )
    if user is None or not spotchecks.may_check(
        spotchecks.Checker(
            user.pk,
            user.role,
            user.police_unit.prefix if user.police_unit else "",
            user.division.prefix if user.division else "",
        ),
        spotchecks.ToCheck(it.collector_id, it.police_unit_id, it.division_id),
    ):
        raise InvalidInput(
            code="spot_check.checker_invalid",
            fields={"checker": [_("This person may not check this record.")]},
        )
    old = it.checker_id
    if old == user.pk:
        return it
    it.checker = user
    it.save(update_fields=["checker"])
    _spot_history(actor=actor, obj=it, action="update", changes={"checker": [old, user.pk]})
    return it


def _spot_distance(record_type: str, record_id: int, lng: Any, lat: Any) -> int | None:
    """Metres from the record's door plate to the point where the check was made."""
    from ybss.addresses.models import StandardAddress
    from ybss.collection.services import door_distance_m
    from ybss.registry.models import House, Residence, Unit

    if lng is None or lat is None:
        return None
    address: StandardAddress | None = None
    if record_type == "address":
        address = StandardAddress.objects.select_related("parent").filter(pk=record_id).first()
    elif record_type == "house":
        h = House.objects.select_related("address__parent").filter(pk=record_id).first()
        address = h.address if h else None
    elif record_type == "unit":
        u = Unit.objects.select_related("address__parent").filter(pk=record_id).first()
        address = u.address if u else None
    elif record_type == "person":
        r = (
            Residence.objects.select_related("house__address__parent")
            .filter(person_id=record_id, active=True)
            .order_by("-pk")
            .first()
        )
        address = r.house.address if r else None
    return door_distance_m(address, lng, lat) if address is not None else None


def _spot_result_input(
    item: SpotCheckItem, result: str, wrong_fields: Sequence[str], note: str, via: str, lng: Any, lat: Any
) -> tuple[list[str], str, float | None, float | None]:
    errors = FieldErrors()
    if result not in (SpotCheckResult.AGREES, SpotCheckResult.WRONG_FIELDS, SpotCheckResult.FABRICATED):
        errors.add("result", _("Select a valid choice."))
    allowed = spotchecks.RECORD_FIELDS.get(item.record_type, ())
    wrong: list[str] = []
    if wrong_fields is not None and (
        not isinstance(wrong_fields, list | tuple | set | frozenset)
        or not all(isinstance(f, str) for f in wrong_fields)
    ):
        errors.add("wrong_fields", _("Select a valid choice."))
    else:
        wrong = list(dict.fromkeys(wrong_fields or ()))
        if any(f not in allowed for f in wrong):
            errors.add("wrong_fields", _("Select a valid choice."))
        elif result == SpotCheckResult.WRONG_FIELDS and not wrong:
            errors.add("wrong_fields", _("Choose the fields that are wrong."))
        elif result == SpotCheckResult.AGREES and wrong:
            errors.add("wrong_fields", _("A record that agrees with the field has no wrong fields."))
    if note is not None and not isinstance(note, str):
        errors.add("note", _("Enter a valid value."))
        note = ""
    note = (note or "").strip()
    if len(note) > 500:
        errors.add("note", _("Ensure this value has at most %(n)d characters.") % {"n": 500})
    elif result == SpotCheckResult.FABRICATED and not note:
        errors.add("note", _("Please give a reason."))
    if via not in SPOT_VIA:
        errors.add("via", _("Select a valid choice."))
    point: list[float | None] = []
    bad = {"lng": _("Enter a valid longitude."), "lat": _("Enter a valid latitude.")}
    for name, value, bound in (("lng", lng, 180), ("lat", lat, 90)):
        if value is None or value == "":
            point.append(None)
            continue
        try:
            v = float(value)
            if isinstance(value, bool) or not math.isfinite(v) or not -bound <= v <= bound:
                raise ValueError
            point.append(round(v, 7))
        except (TypeError, ValueError):
            errors.add(name, bad[name])
            point.append(None)
    if not errors and (point[0] is None) != (point[1] is None):
        errors.add("lng" if point[0] is None else "lat", _("Give both longitude and latitude."))
    errors.raise_if_any()
    return wrong, note, point[0], point[1]


def _spot_problem(actor: User, item: SpotCheckItem) -> Problem:
    """The failure of ``item`` as a problem in the quality ledger, through the scan's own
    ``record_findings`` (stamps, responsible officer, deadline by severity, "found" event)."""
    from ybss.quality.findings import Finding
    from ybss.quality.scan import make_context, record_findings

    category, rule, severity = SPOT_FAILURES[item.result]
    label = spotchecks.RECORD_LABELS[item.record_type]
    finding = Finding(
        rule=rule,
        category=category,
        record_type=label,
        record_id=item.record_id,
        severity=severity,
        score=1.0,
        evidence={
            "spot_check_round": item.round_id,
            "spot_check_item": item.pk,
            "wrong_fields": list(item.wrong_fields),
            "note": item.note,
            "via": item.via,
            "distance_m": item.distance_m,
            "checked_by": actor.display_name,
        },
        collector_id=item.collector_id,
        key=f"item:{item.pk}",
    )
    ctx = make_context(records={label: {item.record_id}})
    record_findings([finding], ctx=ctx, actor=actor, rules_run=set(), close_missing=False)
    problem = Problem.objects.get(fingerprint=finding.fingerprint)
    summary = str(SPOT_FAILURE_SUMMARIES[category])[:200]
    if problem.summary != summary:
        problem.summary = summary
        problem.save(update_fields=["summary"])
    return problem


@transaction.atomic
def spot_check_record(
    *,
    actor: User,
    item: SpotCheckItem | int,
    result: str,
    wrong_fields: Sequence[str] = (),
    note: str = "",
    via: str = "platform",
    lng: Any = None,
    lat: Any = None,
) -> SpotCheckItem:
    """Record the result of checking one item: agrees, wrong fields (which), or fabricated.

    The item must be in the actor's jurisdiction (NotFound); only its checker, or a chief or
    supervisor, may record it (Forbidden), never the record's collector
    (``spot_check.own_record``); once only (``spot_check.already_checked``, 409), while the round
    is open (``spot_check.round_closed``). A GPS point (``lng``/``lat``, WGS-84) gives the distance
    from the record's door plate. A failure opens a problem in the quality ledger with the
    record's collector responsible, linked from the item.
    """
    it = _spot_item_for_write(actor, item)
    if it.checker_id != actor.pk and actor.role not in SPOT_OVERRIDE_ROLES:
        raise Forbidden()
    if it.collector_id is not None and it.collector_id == actor.pk:
        raise Forbidden(
            code="spot_check.own_record", message=_("The collector of a record may not check it.")
        )
    _spot_require_open(it)
    wrong, note, lng_c, lat_c = _spot_result_input(it, result, wrong_fields, note, via, lng, lat)
    it.result = result
    it.wrong_fields = wrong
    it.note = note
    it.via = via
    it.lng, it.lat = lng_c, lat_c
    it.distance_m = _spot_distance(it.record_type, it.record_id, lng_c, lat_c)
    it.checked_at = timezone.now()
    it.checked_by = actor
    if it.checker_id is None:
        it.checker = actor
    if result in SPOT_FAILURES:
        it.problem = _spot_problem(actor, it)
    it.save()
    _spot_history(
        actor=actor,
        obj=it,
        action="update",
        changes={
            "result": [SpotCheckResult.PENDING, result],
            "wrong_fields": [[], wrong],
            "via": ["", via],
            "distance_m": [None, it.distance_m],
            "problem": [None, it.problem_id],
        },
    )
    return it


@transaction.atomic
def spot_check_close(*, actor: User, round: SpotCheckRound | int) -> SpotCheckRound:
    """Close an open round: its pending items stay unchecked and count in no pass rate.

    Only ``SPOT_CHECK_ROLES`` whose jurisdiction holds the round's own unit (NotFound otherwise;
    a station chief sees a county round's items in the station but does not close it).
    """
    _spot_require_drawer(actor)
    pk = round.pk if isinstance(round, SpotCheckRound) else round
    rnd = jurisdiction.get_in_scope(SpotCheckRound.objects.select_for_update(), actor, pk=pk)
    if rnd.state != SpotCheckState.OPEN:
        raise InvalidInput(code="spot_check.round_closed", message=_("This spot-check round is closed."))
    rnd.state = SpotCheckState.CLOSED
    rnd.save(update_fields=["state"])
    pending = rnd.items.filter(result=SpotCheckResult.PENDING).count()
    _spot_history(
        actor=actor,
        obj=rnd,
        action="status",
        changes={"state": [SpotCheckState.OPEN, SpotCheckState.CLOSED], "unchecked": [None, pending]},
    )
    return rnd
