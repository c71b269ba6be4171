"""Reads of the problem ledger: the filtered list, one problem, the summaries by category, station
and person (the basis for 通报批评), the Excel export, and the rules with their settings. Every
read starts from ``org.jurisdiction.scope``; a collector sees the problems they are responsible
for."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.org import jurisdiction
from ybss.org.models import PoliceUnit, User

from .findings import category_label
from .models import ACTIVE_STATES, Problem, ProblemState


@dataclass
class ProblemFilters:
    category: str = ""
    state: str = "active"  # active | open | overdue | escalated | fixed | confirmed | all
    police_unit: str = ""  # a code prefix
    collector: int | None = None
    record_type: str = ""
    record_id: int | None = None


def problem_list(*, actor: User, filters: ProblemFilters | None = None) -> QuerySet[Problem]:
    """Problems in scope, most severe and most recent first."""
    f = filters or ProblemFilters()
    qs = jurisdiction.scope(Problem.objects.all(), actor)
    if actor.role == "collector":
        qs = qs.filter(collector=actor)
    if f.state == "active":
        qs = qs.filter(state__in=ACTIVE_STATES)
    elif f.state and f.state != "all":
        qs = qs.filter(state=f.state)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.police_unit:
        qs = qs.filter(police_unit_id__startswith=f.police_unit)
    if f.collector:
        qs = qs.filter(collector_id=f.collector)
    if f.record_type:
        qs = qs.filter(record_type=f.record_type)
    if f.record_id is not None:
        qs = qs.filter(record_id=f.record_id)
    return qs.select_related("collector", "officer", "police_unit").order_by("-last_seen", "-pk")


def problem_get(*, actor: User, pk: Any, request: Any = None) -> Problem:
    """One problem in scope (NotFound otherwise); the read is audited (it describes a record)."""
    qs = jurisdiction.scope(Problem.objects.select_related("collector", "officer", "police_unit"), actor)
    if actor.role == "collector":
        qs = qs.filter(collector=actor)
    p = jurisdiction.get_in_scope(qs, actor, pk=pk)
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="quality.problem",
        object_id=p.pk,
        detail={"record_type": p.record_type, "record_id": p.record_id},
        request=request,
    )
    return p


@dataclass
class SummaryRow:
    key: str
    name: str
    total: int
    active: int
    overdue: int
    closed: int

    @property
    def closure_rate(self) -> float:
        return round(100 * self.closed / self.total, 1) if self.total else 0.0


def problem_summary(
    *, actor: User, by: str = "category", police_unit: str = "", division: str = ""
) -> list[SummaryRow]:
    """Counts by category, station or responsible person (collector): total, still active,
    overdue, closed (fixed or confirmed), and the closure rate. ``police_unit`` / ``division``
    (code prefixes) narrow it to a node of either tree (the supervision dashboard)."""
    qs = problem_list(actor=actor, filters=ProblemFilters(state="all")).order_by()
    if police_unit:
        qs = qs.filter(jurisdiction.subtree_q("police_unit", police_unit))
    if division:
        qs = qs.filter(jurisdiction.subtree_q("division", division))
    if by == "station":
        key = "station"
        from django.db.models.functions import Substr

        qs = qs.annotate(station=Substr("police_unit_id", 1, 9))
    elif by == "collector":
        key = "collector_id"
    else:
        key = "category"
    rows = qs.values(key).annotate(
        total=Count("pk"),
        active=Count("pk", filter=Q(state__in=ACTIVE_STATES)),
        overdue=Count("pk", filter=Q(state=ProblemState.OVERDUE)),
        closed=Count("pk", filter=Q(state__in=[ProblemState.FIXED, ProblemState.CONFIRMED])),
    )
    out = []
    names: dict[Any, str] = {}
    if by == "station":
        names = {c[:9]: n for c, n in PoliceUnit.objects.filter(kind="station").values_list("code", "name")}
    elif by == "collector":
        names = {u.pk: u.display_name for u in User.objects.filter(pk__in=[r[key] for r in rows if r[key]])}
    for r in rows:
        k = r[key]
        name = str(category_label(k)) if by == "category" else names.get(k, str(k or _("Unknown")))
        out.append(SummaryRow(str(k or ""), name, r["total"], r["active"], r["overdue"], r["closed"]))
    return sorted(out, key=lambda s: (-s.active, -s.total, s.key))


def problems_xlsx(*, actor: User, filters: ProblemFilters, request: Any = None) -> bytes:
    """The filtered ledger as an Excel workbook (问题台账) plus a sheet per summary; audited as an
    export. Evidence is stored masked, so nothing here needs masking again."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    qs = problem_list(actor=actor, filters=filters)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Problem ledger")[:31]
    head = [
        _("Problem"),
        _("Record"),
        _("Source record number"),
        _("Category"),
        _("Rule"),
        _("Severity"),
        _("Score"),
        _("Responsible collector"),
        _("Responsible officer"),
        _("Police unit"),
        _("State"),
        _("Deadline"),
        _("First found"),
        _("Last found"),
    ]
    ws.append(head)
    for c in ws[1]:
        c.font = Font(bold=True)
    n = 0
    for p in qs.iterator(chunk_size=2000):
        n += 1
        ws.append(
            [
                p.pk,
                f"{p.record_type}:{p.record_id}",
                p.source_ref,
                str(category_label(p.category)),
                p.rule,
                p.severity,
                round(p.score, 3),
                p.collector.display_name if p.collector else "",
                p.officer.display_name if p.officer else "",
                p.police_unit.name,
                str(ProblemState(p.state).label),
                p.deadline,
                timezone.localtime(p.first_seen).replace(tzinfo=None),
                timezone.localtime(p.last_seen).replace(tzinfo=None),
            ]
        )
    for by, title in (
        ("category", _("By category")),
        ("station", _("By station")),
        ("collector", _("By person")),
    ):
        sheet = wb.create_sheet(title[:31])
        sheet.append([_("Name"), _("Total"), _("Active"), _("Overdue"), _("Closed"), _("Closure rate (%)")])
        for r in problem_summary(actor=actor, by=by):
            sheet.append([r.name, r.total, r.active, r.overdue, r.closed, r.closure_rate])
    buf = io.BytesIO()
    wb.save(buf)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="quality.problem",
        detail={k: v for k, v in filters.__dict__.items() if v not in ("", None)},
        result_count=n,
        request=request,
    )
    return buf.getvalue()


def rules_with_settings() -> list[dict[str, Any]]:
    """Every rule with the admin's switch and thresholds over its defaults."""
    from .scan import all_rules, rule_settings

    settings = rule_settings()
    out = []
    for r in all_rules():
        own = settings.get(r.code, {})
        out.append(
            {
                "code": r.code,
                "category": r.category,
                "category_label": str(category_label(r.category)),
                "severity": r.severity,
                "entity": r.entity,
                "fields": list(r.fields),
                "message": str(r.message),
                "version": r.version,
                "enabled": bool(own.get("enabled", True)),
                "params": {**r.params, **(own.get("params") or {})},
                "defaults": dict(r.params),
            }
        )
    return out


def problems_by_record(*, actor: User, record_type: str, record_id: int) -> QuerySet[Problem]:
    """Active problems of one record (shown on its page)."""
    return problem_list(actor=actor, filters=ProblemFilters(record_type=record_type, record_id=record_id))


def collector_risk(*, actor: User) -> list[dict[str, Any]]:
    """Collectors in scope ranked by the weighted risk of their active problems (who to spot-check
    first), with how many records each is responsible for."""
    from ybss.registry.models import Person

    from . import risk
    from .findings import Finding

    problems = problem_list(actor=actor, filters=ProblemFilters(state="active")).exclude(collector=None)
    findings = [
        Finding(rule=rule, category=cat, record_type=rt, record_id=rid, score=score, collector_id=c)
        for c, cat, rule, rt, rid, score in problems.values_list(
            "collector_id", "category", "rule", "record_type", "record_id", "score"
        )
    ]
    collectors = {f.collector_id for f in findings}
    records = dict(
        Person.objects.filter(created_by_id__in=collectors)
        .values_list("created_by_id")
        .annotate(n=Count("pk"))
    )
    ranked = risk.collector_risk(findings, records)
    names = {
        u.pk: u.display_name for u in User.objects.filter(pk__in=[c for c in collectors if c is not None])
    }
    return [
        {
            "collector_id": r.collector_id,
            "name": names.get(r.collector_id, str(r.collector_id)),
            "score": r.score,
            "total": r.findings,
            "flagged": r.flagged_records,
            "records": r.records,
            "share": round(100 * r.share_flagged, 1) if r.share_flagged is not None else None,
            "top": str(category_label(r.top_category)) if r.top_category else "",
            "by_category": {str(category_label(k)): n for k, n in r.counts.items()},
        }
        for r in ranked
    ]
