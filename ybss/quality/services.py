"""Writes to the problem ledger: a person's decisions on a problem, rule settings, and "not a
duplicate". The scan's own updates are in ``quality.scan``.

Who may decide: the responsible community officer's roles (officer, chief, admin) within their
jurisdiction, and the county supervisor; every decision is a ``ProblemEvent``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.core.errors import Forbidden, InvalidInput
from ybss.org import jurisdiction
from ybss.org.models import Role, User

from .models import ACTIVE_STATES, NotDuplicatePair, Problem, ProblemEvent, ProblemState, RuleSetting

DECIDE_ROLES = frozenset({Role.OFFICER, Role.CHIEF, Role.SUPERVISOR, Role.ADMIN})

#: What a person may do with a problem, and the state it leads to.
ACTIONS: dict[str, str] = {
    "confirm": ProblemState.CONFIRMED,  # checked: the record is true as it stands
    "fixed": ProblemState.FIXED,  # corrected (the next scan re-opens it if it is not)
    "escalate": ProblemState.ESCALATED,  # reported up (通报批评 and beyond)
    "reopen": ProblemState.OPEN,
}


def _problem(actor: User, problem_id: int) -> Problem:
    if actor.role not in DECIDE_ROLES:
        raise Forbidden()
    return jurisdiction.get_in_scope(Problem.objects.select_for_update(), actor, pk=problem_id)


@transaction.atomic
def problem_decide(*, actor: User, problem_id: int, action: str, note: str = "") -> Problem:
    """Confirm true, mark fixed, escalate or reopen a problem (with a note; confirming and
    escalating need one)."""
    if action not in ACTIONS:
        raise InvalidInput(fields={"action": [_("Select a valid choice.")]})
    note = (note or "").strip()[:500]
    if action in ("confirm", "escalate") and not note:
        raise InvalidInput(code="problem.note_required", fields={"note": [_("Please give a reason.")]})
    p = _problem(actor, problem_id)
    state = ACTIONS[action]
    if action == "reopen" and p.state in ACTIVE_STATES:
        raise InvalidInput(code="problem.open", message=_("This problem is already open."))
    if (
        action != "reopen"
        and p.state not in ACTIVE_STATES
        and not (action == "escalate" and p.state == ProblemState.CONFIRMED)
    ):
        raise InvalidInput(code="problem.closed", message=_("This problem is already closed."))
    now = timezone.now()
    p.state = state
    p.note = note
    if state in (ProblemState.FIXED, ProblemState.CONFIRMED):
        p.closed_at, p.closed_by = now, actor
    elif state == ProblemState.OPEN:
        p.closed_at, p.closed_by = None, None
        p.deadline = timezone.localdate() + dt.timedelta(days=7)
    p.save(update_fields=["state", "note", "closed_at", "closed_by", "deadline"])
    ProblemEvent.objects.create(problem=p, action=action, actor=actor, at=now, note=note)
    return p


@transaction.atomic
def problem_set_deadline(*, actor: User, problem_id: int, deadline: dt.date, note: str = "") -> Problem:
    p = _problem(actor, problem_id)
    if deadline < timezone.localdate():
        raise InvalidInput(fields={"deadline": [_("The deadline has passed.")]})
    p.deadline = deadline
    if p.state == ProblemState.OVERDUE:
        p.state = ProblemState.OPEN
    p.save(update_fields=["deadline", "state"])
    ProblemEvent.objects.create(
        problem=p, action="deadline", actor=actor, at=timezone.now(), note=f"{deadline} {note}"[:500]
    )
    return p


@transaction.atomic
def not_duplicate_mark(*, actor: User, problem_id: int, reason: str) -> Problem:
    """An officer checked a duplicate pair and they are different people (units): the pair is
    remembered and never proposed again; the problem is closed as confirmed true."""
    p = _problem(actor, problem_id)
    if p.category not in ("duplicate_person", "duplicate_unit") or not p.related:
        raise InvalidInput(code="problem.not_a_pair", message=_("This problem is not a duplicate pair."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(code="problem.note_required", fields={"note": [_("Please give a reason.")]})
    other = int(p.related[0][1])
    a, b = sorted((int(p.record_id), other))
    try:
        with transaction.atomic():
            NotDuplicatePair.objects.create(
                record_type=p.record_type,
                record_a=a,
                record_b=b,
                decided_by=actor,
                decided_at=timezone.now(),
                reason=reason[:500],
            )
    except IntegrityError:
        pass  # decided before
    return problem_decide(actor=actor, problem_id=p.pk, action="confirm", note=reason)


@transaction.atomic
def rule_configure(
    *, actor: User, code: str, enabled: bool, params: dict[str, Any] | None = None
) -> RuleSetting:
    """Switch a rule on or off and set its thresholds (county admin only). Unknown parameters and
    values of the wrong type are refused."""
    if actor.role != Role.ADMIN:
        raise Forbidden()
    from .scan import all_rules

    spec = next((r for r in all_rules() if r.code == code), None)
    if spec is None:
        raise InvalidInput(fields={"code": [_("Select a valid choice.")]})
    clean: dict[str, Any] = {}
    for name, value in (params or {}).items():
        if name not in spec.params:
            raise InvalidInput(fields={name: [_("Unknown field.")]})
        default = spec.params[name]
        try:
            clean[name] = type(default)(value) if not isinstance(default, bool) else bool(value)
        except (TypeError, ValueError):
            raise InvalidInput(fields={name: [_("Enter a number.")]}) from None
        if isinstance(clean[name], int | float) and clean[name] < 0:
            raise InvalidInput(fields={name: [_("Enter a positive number.")]})
    setting, _created = RuleSetting.objects.update_or_create(
        code=code,
        defaults={"enabled": enabled, "params": clean, "updated_by": actor, "updated_at": timezone.now()},
    )
    return setting


def problem_merge(*, actor: User, problem_id: int, keep_this: bool, reason: str) -> Problem:
    """Resolve a duplicate pair by merging: the problem's record and its partner, keeping one."""
    from .merge import person_merge, unit_merge

    p = _problem(actor, problem_id)
    if p.category not in ("duplicate_person", "duplicate_unit") or not p.related:
        raise InvalidInput(code="problem.not_a_pair", message=_("This problem is not a duplicate pair."))
    this, other = int(p.record_id), int(p.related[0][1])
    keep, drop = (this, other) if keep_this else (other, this)
    merge = person_merge if p.record_type == "registry.person" else unit_merge
    merge(actor=actor, survivor_id=keep, duplicate_id=drop, reason=reason)
    p.refresh_from_db()
    return p
