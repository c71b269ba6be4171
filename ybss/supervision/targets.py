"""Targets and assessment (目标考核): a rate a station, police district or officer is to reach by a
deadline, and the scoreboard of where each stands. The station ranking's timeliness component
reads the same targets (``ranking._timeliness``).

Who sets targets: supervisors and admins for any unit of their county; a station chief for their
own station's police districts and officers (never for the station itself — its target comes from
the county).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.audit.services import history_record
from ybss.core.errors import Forbidden, InvalidInput, NotFound
from ybss.org import jurisdiction
from ybss.org.models import PoliceUnit, PoliceUnitKind, Role, User

from . import rates as rates_mod
from .definitions import RATES
from .models import RateFact, Target


class TargetStatus:
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MISSED = "missed"


STATUS_LABELS = {
    TargetStatus.MET: _("Met"),
    TargetStatus.ON_TRACK: _("On track"),
    TargetStatus.BEHIND: _("Behind"),
    TargetStatus.MISSED: _("Missed"),
}


@dataclass(frozen=True)
class TargetRow:
    target: Target
    unit_name: str
    rate_label: str
    current: rates_mod.Rate
    at_deadline: rates_mod.Rate | None
    expected: float
    status: str
    days_left: int

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def _county_prefix(unit: PoliceUnit) -> str:
    return unit.prefix[:6]


def target_set(
    *,
    actor: User,
    police_unit_code: str,
    code: str,
    value: Decimal | float | str,
    deadline: dt.date | None,
    officer_id: int | None = None,
    note: str = "",
) -> Target:
    """Set a target for a station or police district (optionally its responsible officer).

    ``value`` is a share (0–1) or a percentage (1–100, read as %). The unit must lie inside the
    caller's jurisdiction (NotFound otherwise); chiefs may set targets only below their station.
    """
    jurisdiction.require_role(actor, jurisdiction.TARGET_ROLES)
    errors: dict[str, list[object]] = {}
    unit = PoliceUnit.objects.filter(pk=police_unit_code).first()
    if unit is None or actor.police_unit is None or not unit.prefix.startswith(actor.police_unit.prefix):
        raise NotFound()
    if unit.kind not in (PoliceUnitKind.STATION, PoliceUnitKind.DISTRICT):
        errors["police_unit"] = [_("Targets are set for a police station or a police district.")]
    elif actor.role == Role.CHIEF and unit.code == actor.police_unit.code:
        errors["police_unit"] = [_("A station's own target is set by the county.")]
    if code not in RATES or RATES[code].neutral:
        errors["code"] = [_("Choose a rate.")]
    try:
        share = Decimal(str(value))
        if share > 1:
            share = share / 100
        if not (Decimal(0) < share <= 1):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["value"] = [_("Enter a target between 0 and 100%.")]
        share = Decimal(0)
    if deadline is None:
        errors["deadline"] = [_("Enter a deadline.")]
    officer = None
    if officer_id is not None:
        officer = User.objects.filter(pk=officer_id, is_active=True).select_related("police_unit").first()
        if (
            officer is None
            or officer.police_unit is None
            or not officer.police_unit.prefix.startswith(unit.prefix)
        ):
            errors["officer"] = [_("Choose an officer of this unit.")]
    if errors:
        raise InvalidInput(fields=errors)
    assert deadline is not None
    with transaction.atomic():
        target = Target.objects.create(
            police_unit=unit,
            division_id=_county_prefix(unit).ljust(12, "0"),
            code=code,
            officer=officer,
            value=share.quantize(Decimal("0.0001")),
            deadline=deadline,
            note=note[:200],
            created_at=timezone.now(),
            created_by=actor,
        )
        history_record(actor=actor, record=target, action="create")
    return target


def target_deactivate(*, actor: User, pk: int) -> Target:
    """Withdraw a target (it stays in the history, no longer counted)."""
    jurisdiction.require_role(actor, jurisdiction.TARGET_ROLES)
    target = jurisdiction.get_in_scope(Target.objects.all(), actor, pk=pk)
    if actor.role == Role.CHIEF and actor.police_unit and target.police_unit_id == actor.police_unit.code:
        raise Forbidden()
    with transaction.atomic():
        target.active = False
        target.version += 1
        target.save(update_fields=["active", "version"])
        history_record(actor=actor, record=target, action="status", changes={"active": [True, False]})
    return target


def target_list(*, actor: User, active: bool | None = True) -> QuerySet[Target]:
    """Targets in the caller's jurisdiction (their units' and the units below)."""
    qs = jurisdiction.scope(Target.objects.all(), actor)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.select_related("police_unit", "officer", "created_by").order_by(
        "deadline", "police_unit", "code"
    )


def _status(
    current: float | None, at_deadline: float | None, target: float, expected: float, due: bool
) -> str:
    if due:
        return TargetStatus.MET if (at_deadline or 0) >= target else TargetStatus.MISSED
    if (current or 0) >= target:
        return TargetStatus.MET
    return TargetStatus.ON_TRACK if (current or 0) >= expected else TargetStatus.BEHIND


def _facts_of(actor: User, day: dt.date, codes: set[str]) -> list[tuple[str, str, int, int]]:
    rates_mod.ensure_day(day)
    return list(
        jurisdiction.scope(RateFact.objects.all(), actor)
        .filter(day=day, code__in=codes)
        .values_list("police_unit_id", "code", "numerator", "denominator")
    )


def _rate_of(facts: list[tuple[str, str, int, int]], code: str, prefix: str) -> rates_mod.Rate:
    num = den = 0
    for unit, c, n, d in facts:
        if c == code and unit.startswith(prefix):
            num += n
            den += d
    return rates_mod.Rate(code, str(RATES[code].label), num, den, str(RATES[code].definition))


def target_scoreboard(*, actor: User, day: dt.date | None = None) -> list[TargetRow]:
    """Every active target in the caller's jurisdiction with its current value, its value at the
    deadline (when due), the value expected by now on a straight line from the day it was set, and
    a status: met, on track, behind or missed. One facts query for ``day`` and one per deadline
    already passed."""
    day = day or timezone.localdate()
    items = list(target_list(actor=actor))
    codes = {t.code for t in items}
    now_facts = _facts_of(actor, day, codes) if items else []
    deadline_facts = {
        d: _facts_of(actor, d, codes) for d in sorted({t.deadline for t in items if t.deadline <= day})
    }
    rows = []
    for t in items:
        current = _rate_of(now_facts, t.code, t.police_unit.prefix)
        due = t.deadline <= day
        at_deadline = _rate_of(deadline_facts[t.deadline], t.code, t.police_unit.prefix) if due else None
        start = timezone.localtime(t.created_at).date()
        span = max((t.deadline - start).days, 1)
        elapsed = min(max((day - start).days, 0), span)
        expected = float(t.value) * elapsed / span
        status = _status(
            current.value, at_deadline.value if at_deadline else None, float(t.value), expected, due
        )
        name = t.police_unit.name + (f" · {t.officer.full_name or t.officer.username}" if t.officer else "")
        rows.append(
            TargetRow(
                t,
                name,
                str(RATES[t.code].label),
                current,
                at_deadline,
                expected,
                status,
                (t.deadline - day).days,
            )
        )
    return rows
