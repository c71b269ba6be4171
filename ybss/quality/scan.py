"""The quality scan: every check module over the base, and the ledger kept in step with it.

``run_scan(ctx)`` returns the findings of all checks (rules, duplicates, signs of fabrication).
``scan_and_record(...)`` runs it and updates the problem ledger in one transaction: a finding met
again updates its problem (a fixed one reopens), a new one opens a problem stamped with its
record's division and police district, with the responsible collector and officer and a deadline
by severity; an open problem the scan no longer finds (for a rule that ran, in the scanned part of
the county) is closed as fixed; an open problem past its deadline becomes overdue.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any

from django.db import transaction
from django.utils import timezone

from ybss.org.models import Role, User

from .findings import Finding, category_label
from .models import ACTIVE_STATES, Problem, ProblemEvent, ProblemState, QualityScan, RuleSetting
from .spec import RuleSpec, ScanContext

#: The check modules, in the order they run. Each has ``RULES`` and ``run(ctx)``.
CHECK_MODULES = ("ybss.quality.checks_rules", "ybss.quality.dedup", "ybss.quality.signals")

#: Days to fix a problem, by severity.
DEADLINE_DAYS = {"error": 7, "warning": 14, "info": 30}


def check_modules() -> list[Any]:
    """The check modules that are installed (a test asserts every category has a rule)."""
    out = []
    for name in CHECK_MODULES:
        try:
            out.append(import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return out


def all_rules() -> list[RuleSpec]:
    """Every rule of every check module (codes are unique)."""
    return [rule for module in check_modules() for rule in module.RULES]


def rule_settings() -> dict[str, dict[str, Any]]:
    return {s.code: {"enabled": s.enabled, "params": s.params} for s in RuleSetting.objects.all()}


def make_context(
    *,
    police_prefix: str = "",
    progress: Callable[[str], None] | None = None,
    records: dict[str, set[int]] | None = None,
    today: dt.date | None = None,
) -> ScanContext:
    return ScanContext(
        today=today or timezone.localdate(),
        settings=rule_settings(),
        police_prefix=police_prefix,
        progress=progress,
        records=records,
    )


def run_scan(ctx: ScanContext, *, modules: Iterable[Any] | None = None) -> list[Finding]:
    """The findings of every check module (or of ``modules``), unsaved."""
    out: list[Finding] = []
    for module in modules if modules is not None else check_modules():
        ctx.step(module.__name__.rsplit(".", 1)[-1])
        out.extend(module.run(ctx))
    return out


# --- the ledger ------------------------------------------------------------------------------


def _stamps(findings: Iterable[Finding]) -> dict[tuple[str, int], tuple[str, str, str]]:
    """(record type, id) → (division, police unit, 来源编号) of every record named."""
    from django.apps import apps

    wanted: dict[str, set[int]] = defaultdict(set)
    for f in findings:
        wanted[f.record_type].add(f.record_id)
    out: dict[tuple[str, int], tuple[str, str, str]] = {}
    for label, pks in wanted.items():
        model = apps.get_model(label)
        has_ref = any(field.name == "source_ref" for field in model._meta.fields)
        cols = ["pk", "division_id", "police_unit_id", *(["source_ref"] if has_ref else [])]
        ids = sorted(pks)
        for i in range(0, len(ids), 5000):
            for row in model._default_manager.filter(pk__in=ids[i : i + 5000]).values_list(*cols):
                out[(label, row[0])] = (row[1], row[2], row[3] if has_ref else "")
    return out


def _officers() -> dict[str, int]:
    """Police district code → its community officer's user id (the first one)."""
    out: dict[str, int] = {}
    for pk, unit in (
        User.objects.filter(role=Role.OFFICER, is_active=True)
        .order_by("pk")
        .values_list("pk", "police_unit_id")
    ):
        if unit:
            out.setdefault(unit, pk)
    return out


def _summary(f: Finding) -> str:

    label = category_label(f.category)
    return str(label)[:200]


def record_findings(
    findings: list[Finding],
    *,
    ctx: ScanContext,
    actor: User | None = None,
    rules_run: set[str] | None = None,
    close_missing: bool = True,
) -> dict[str, int]:
    """Bring the ledger in step with ``findings`` (see the module docstring). Call inside a
    transaction. Returns counts: opened, updated, reopened, fixed, overdue."""
    now = timezone.now()
    today = ctx.today
    by_fp: dict[str, Finding] = {}
    for f in findings:
        by_fp.setdefault(f.fingerprint, f)
    existing = {p.fingerprint: p for p in Problem.objects.filter(fingerprint__in=list(by_fp))}
    stamps = _stamps(f for fp, f in by_fp.items() if fp not in existing)
    officers = _officers()
    versions = {r.code: r.version for r in all_rules()}
    counts = Counter[str]()
    new_problems: list[Problem] = []
    events: list[ProblemEvent] = []
    updated: list[Problem] = []
    for fp, f in by_fp.items():
        p = existing.get(fp)
        if p is None:
            stamp = stamps.get((f.record_type, f.record_id))
            if stamp is None:
                continue  # the record is gone (a test, a purge): nothing to follow
            division, unit, ref = stamp
            new_problems.append(
                Problem(
                    fingerprint=fp,
                    rule=f.rule,
                    rule_version=versions.get(f.rule, 1),
                    category=f.category,
                    severity=f.severity,
                    record_type=f.record_type,
                    record_id=f.record_id,
                    source_ref=ref or "",
                    related=[list(r) for r in f.related],
                    score=f.score,
                    evidence=f.evidence,
                    summary=_summary(f),
                    collector_id=f.collector_id,
                    officer_id=officers.get(unit),
                    state=ProblemState.OPEN,
                    deadline=today + dt.timedelta(days=DEADLINE_DAYS.get(f.severity, 14)),
                    first_seen=now,
                    last_seen=now,
                    division_id=division,
                    police_unit_id=unit,
                )
            )
            continue
        p.last_seen, p.score, p.evidence, p.severity = now, f.score, f.evidence, f.severity
        p.related = [list(r) for r in f.related]
        if p.state == ProblemState.FIXED:
            p.state, p.closed_at, p.closed_by = ProblemState.OPEN, None, None
            p.deadline = today + dt.timedelta(days=DEADLINE_DAYS.get(f.severity, 14))
            events.append(ProblemEvent(problem=p, action="reopened", actor=actor, at=now))
            counts["reopened"] += 1
        updated.append(p)
        counts["updated"] += 1
    Problem.objects.bulk_create(new_problems, batch_size=2000)
    counts["opened"] = len(new_problems)
    events.extend(ProblemEvent(problem=p, action="found", actor=actor, at=now) for p in new_problems)
    Problem.objects.bulk_update(
        updated,
        [
            "last_seen",
            "score",
            "evidence",
            "severity",
            "related",
            "state",
            "closed_at",
            "closed_by",
            "deadline",
        ],
        batch_size=2000,
    )
    if close_missing:
        stale = Problem.objects.filter(state__in=ACTIVE_STATES).exclude(fingerprint__in=list(by_fp))
        if rules_run is not None:
            stale = stale.filter(rule__in=sorted(rules_run))
        if ctx.police_prefix:
            stale = stale.filter(police_unit_id__startswith=ctx.police_prefix)
        if ctx.records is not None:
            scope = [(t, sorted(ids)) for t, ids in ctx.records.items()]
            from django.db.models import Q

            q = Q(pk__in=[])
            for t, ids in scope:
                q |= Q(record_type=t, record_id__in=ids)
            stale = stale.filter(q)
        fixed = list(stale.values_list("pk", flat=True))
        for i in range(0, len(fixed), 5000):
            part = fixed[i : i + 5000]
            Problem.objects.filter(pk__in=part).update(state=ProblemState.FIXED, closed_at=now)
            events.extend(ProblemEvent(problem_id=pk, action="fixed", actor=actor, at=now) for pk in part)
        counts["fixed"] = len(fixed)
    overdue = (
        list(Problem.objects.filter(state=ProblemState.OPEN, deadline__lt=today).values_list("pk", flat=True))
        if ctx.records is None
        else []
    )
    Problem.objects.filter(pk__in=overdue).update(state=ProblemState.OVERDUE)
    events.extend(ProblemEvent(problem_id=pk, action="overdue", at=now) for pk in overdue)
    counts["overdue"] = len(overdue)
    ProblemEvent.objects.bulk_create(events, batch_size=5000)
    return dict(counts)


def scan_and_record(
    *,
    actor: User | None = None,
    police_prefix: str = "",
    progress: Callable[[str], None] | None = None,
) -> tuple[QualityScan, list[Finding]]:
    """Run the full scan and update the ledger; returns the scan row and the findings."""
    started = timezone.now()
    t0 = time.perf_counter()
    ctx = make_context(police_prefix=police_prefix, progress=progress)
    modules = check_modules()
    findings = run_scan(ctx, modules=modules)
    rules_run = {r.code for m in modules for r in m.RULES if ctx.on(r)}
    ctx.step("ledger")
    with transaction.atomic():
        counts = record_findings(findings, ctx=ctx, actor=actor, rules_run=rules_run)
        scan = QualityScan.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            police_prefix=police_prefix,
            findings=len(findings),
            opened=counts.get("opened", 0),
            fixed=counts.get("fixed", 0),
            by_category=dict(Counter(f.category for f in findings)),
            seconds=round(time.perf_counter() - t0, 2),
        )
    return scan, findings


def recheck_record(record_type: str, record_id: int) -> None:
    """Re-run the record rules on one record that just changed: its problems close when fixed
    and open when a new rule fails. Whole-base checks (duplicates, patterns) wait for the next
    scan. Cheap when the record has no problems and passes: one query per table."""
    module = import_module("ybss.quality.checks_rules")
    if record_type not in {r.entity for r in module.RULES}:
        return
    ctx = make_context(records={record_type: {int(record_id)}})
    findings = list(module.run(ctx))
    rules_run = {r.code for r in module.RULES if r.entity == record_type and ctx.on(r)}
    with transaction.atomic():
        record_findings(findings, ctx=ctx, rules_run=rules_run)
