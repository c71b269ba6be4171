"""Supervision in the demo county: a quality scan so the problem ledger has work, the rates' day by
day history since the campaign began (reconstructed from the records' timestamps) and today's
count, targets for every station and police district, a spot-check round with results, and the
first numbered bulletin — so the dashboards, ranking, scoreboard and bulletins have something to
show from the first login. Everything goes through the services the pages use.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from ybss.core.errors import AppError
from ybss.org.models import PoliceUnit, PoliceUnitKind, Role, User

from .common import EPOCH, REFERENCE_DATE

#: Stages reported through ``progress`` (one call each).
STAGES = ("quality scan", "spot checks", "targets", "rate history", "bulletin")


def _supervisor() -> User | None:
    return (
        User.objects.filter(
            role=Role.SUPERVISOR, is_active=True, police_unit__kind=PoliceUnitKind.COUNTY_BUREAU
        )
        .select_related("police_unit", "division")
        .order_by("pk")
        .first()
    )


def _targets(sup: User, rng: random.Random) -> int:
    from ybss.supervision.targets import target_set

    today = timezone.localdate()
    n = 0
    for station in PoliceUnit.objects.filter(kind=PoliceUnitKind.STATION).order_by("code"):
        for code, value, deadline in (
            ("house_verified", "60", EPOCH + dt.timedelta(days=60)),
            ("address_marked", "85", EPOCH + dt.timedelta(days=75)),
            ("house_verified", "100", dt.date(today.year, 12, 31)),
            ("unit_verified", "100", dt.date(today.year, 12, 31)),
            ("address_cleaned", "100", dt.date(today.year, 12, 31)),
            ("address_marked", "100", dt.date(today.year, 12, 31)),
        ):
            target_set(actor=sup, police_unit_code=station.code, code=code, value=value, deadline=deadline)
            n += 1
    for district in PoliceUnit.objects.filter(kind=PoliceUnitKind.DISTRICT).order_by("code"):
        target_set(
            actor=sup,
            police_unit_code=district.code,
            code="house_verified",
            value=str(rng.choice((90, 95, 100))),
            deadline=today + dt.timedelta(days=rng.randint(10, 40)),
        )
        n += 1
    return n


def _spot_checks(sup: User, rng: random.Random, seed: int) -> int:
    """A county round: about 25 records a station, stratified and weighted by risk; about three in
    four checked by the supervisor's team, mostly agreeing, some with wrong fields, a few found
    fabricated (each failure goes to the problem ledger)."""
    from ybss.supervision.models import SpotCheckResult
    from ybss.supervision.selectors import spot_check_record_fields
    from ybss.supervision.services import spot_check_draw, spot_check_record

    assert sup.police_unit is not None
    stations = PoliceUnit.objects.filter(kind=PoliceUnitKind.STATION).count()
    try:
        round_ = spot_check_draw(
            actor=sup,
            name="2026年11月县局抽查",
            police_unit_code=sup.police_unit.code,
            sample_size=25 * stations,
            risk_weight=2.0,
            seed=seed,
            deadline=timezone.localdate() + dt.timedelta(days=14),
        )
    except AppError:  # a county too small to sample (the tests' tiny scales)
        return 0
    checked = 0
    for item in round_.items.order_by("pk"):
        if rng.random() > 0.75:
            continue
        r = rng.random()
        if r < 0.88:
            spot_check_record(actor=sup, item=item, result=SpotCheckResult.AGREES)
        elif r < 0.97:
            fields = [f for f, _label in spot_check_record_fields(item.record_type)]
            spot_check_record(
                actor=sup,
                item=item,
                result=SpotCheckResult.WRONG_FIELDS,
                wrong_fields=rng.sample(fields, k=min(2, len(fields))),
                note="实地核对与登记不一致",
            )
        else:
            spot_check_record(
                actor=sup, item=item, result=SpotCheckResult.FABRICATED, note="实地无此人/户，疑似虚构"
            )
        checked += 1
    return checked


def _bulletins(sup: User) -> int:
    """第1期 at the end of October and 第2期 at the demo's reference date, both issued, so the
    second shows the change since the first."""
    from ybss.supervision.bulletins import bulletin_draft, bulletin_issue

    n = 0
    for as_of in (dt.date(REFERENCE_DATE.year, 10, 31), REFERENCE_DATE):
        draft = bulletin_draft(actor=sup, as_of=as_of)
        bulletin_issue(actor=sup, bulletin=draft)
        n += 1
    return n


def seed_supervision(seed: int, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the demo's supervision round; returns counts of what was written."""
    from ybss.quality.scan import scan_and_record
    from ybss.supervision import rates

    tick = progress or (lambda _s: None)
    rng = random.Random(seed * 104729 + 11)
    counts: dict[str, Any] = {}
    sup = _supervisor()
    scan, _findings = scan_and_record(actor=sup)
    counts["problems"] = scan.opened
    tick("quality scan")
    counts["spot_checks"] = _spot_checks(sup, rng, seed) if sup else 0
    tick("spot checks")
    counts["targets"] = _targets(sup, rng) if sup else 0
    tick("targets")
    today = timezone.localdate()
    counts["facts"] = rates.rates_backfill(start=EPOCH, end=today - dt.timedelta(days=1))
    counts["facts"] += rates.rates_refresh(trigger="live")
    tick("rate history")
    counts["bulletins"] = _bulletins(sup) if sup else 0
    tick("bulletin")
    return counts
