"""Reads of the supervision app (督查通报, DOMAIN.md §8).

Every selector that serves a user takes ``actor`` first, keyword-only, and starts from
``org.jurisdiction.scope`` (out of scope looks like missing: ``NotFound``). Internal reads for
other parts of the app (the ranking, the rate facts) say so in their docstring.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import HttpRequest
from django.utils import timezone

from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.core.errors import NotFound
from ybss.org import jurisdiction
from ybss.org.models import PoliceUnit, PoliceUnitKind, User

from . import spotchecks
from .models import SpotCheckItem, SpotCheckResult, SpotCheckRound

# --- spot checks -----------------------------------------------------------------------------
#
# Who sees what: users of ``jurisdiction.SPOT_CHECKER_ROLES`` see the items stamped in their
# jurisdiction, and a round when the round itself (its sampled unit) or any of its items is in
# their jurisdiction; the counts of a round are over the items they see. Collectors and the other
# roles see nothing (``jurisdiction.sees_spot_checks``).

#: Groupings of the pass rates.
SPOT_GROUPS = ("station", "district", "collector")


def _spot_items_in_scope(actor: User) -> QuerySet[SpotCheckItem]:
    if not jurisdiction.sees_spot_checks(actor):
        return SpotCheckItem.objects.none()
    return jurisdiction.scope(SpotCheckItem.objects.all(), actor)


def spot_check_rounds(*, actor: User) -> QuerySet[SpotCheckRound]:
    """Rounds the actor sees, newest first, annotated with ``n_items``, ``n_checked`` and
    ``n_passed`` over the items the actor sees."""
    if not jurisdiction.sees_spot_checks(actor):
        return SpotCheckRound.objects.none()
    own = jurisdiction.scope(SpotCheckRound.objects.all(), actor).values("pk")
    via_items = _spot_items_in_scope(actor).values("round_id")
    seen = jurisdiction.jurisdiction_q(actor, "items__") or Q(pk__in=[])
    checked = seen & ~Q(items__result=SpotCheckResult.PENDING)
    return (
        SpotCheckRound.objects.filter(Q(pk__in=own) | Q(pk__in=via_items))
        .annotate(
            n_items=Count("items", filter=seen),
            n_checked=Count("items", filter=checked),
            n_passed=Count("items", filter=seen & Q(items__result=SpotCheckResult.AGREES)),
        )
        .select_related("police_unit", "created_by")
        .order_by("-created_at", "-pk")
    )


def spot_check_round_get(*, actor: User, pk: Any, request: HttpRequest | None = None) -> SpotCheckRound:
    """One round the actor sees (NotFound otherwise), with the counts of ``spot_check_rounds``;
    audited as a read (it lists records)."""
    try:
        rnd = spot_check_rounds(actor=actor).get(pk=pk)
    except (SpotCheckRound.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="supervision.spotcheckround",
        object_id=rnd.pk,
        request=request,
    )
    return rnd


def spot_check_items(
    *,
    actor: User,
    round: SpotCheckRound | int | None = None,
    checker: User | int | None = None,
    result: str | None = None,
) -> QuerySet[SpotCheckItem]:
    """Items the actor sees, in draw order, optionally of one round, one checker and one result
    (``pending``, ``agrees``, ``wrong_fields``, ``fabricated``, or ``checked`` for any but pending)."""
    qs = _spot_items_in_scope(actor)
    if round is not None:
        qs = qs.filter(round_id=round.pk if isinstance(round, SpotCheckRound) else round)
    if checker is not None:
        qs = qs.filter(checker_id=checker.pk if isinstance(checker, User) else checker)
    if result == "checked":
        qs = qs.exclude(result=SpotCheckResult.PENDING)
    elif result:
        qs = qs.filter(result=result)
    return qs.select_related(
        "round", "collector", "checker", "checked_by", "police_unit", "problem"
    ).order_by("round_id", "pk")


def spot_check_item_get(*, actor: User, pk: Any, request: HttpRequest | None = None) -> SpotCheckItem:
    """One item the actor sees (NotFound otherwise); audited as a read of the record it names."""
    item = jurisdiction.get_in_scope(
        _spot_items_in_scope(actor).select_related(
            "round", "collector", "checker", "checked_by", "police_unit", "problem"
        ),
        actor,
        pk=pk,
    )
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="supervision.spotcheckitem",
        object_id=item.pk,
        detail={"record_type": item.record_type, "record_id": item.record_id},
        request=request,
    )
    return item


class SpotPassRate(NamedTuple):
    """Checked and passed (agrees) spot-check items of one group (station, district, collector)."""

    key: str
    checked: int
    passed: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.checked if self.checked else None

    @property
    def percent(self) -> str:
        return f"{100 * self.passed / self.checked:.2f}%" if self.checked else "—"


def _spot_day_end(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in the site's time zone."""
    return dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )


def _spot_checked(qs: QuerySet[SpotCheckItem], day: dt.date | None) -> QuerySet[SpotCheckItem]:
    qs = qs.exclude(result=SpotCheckResult.PENDING).filter(checked_at__isnull=False)
    if day is not None:
        qs = qs.filter(checked_at__lt=_spot_day_end(day))
    return qs


def spot_check_pass_rates(
    *,
    actor: User,
    police_prefix: str | None = None,
    day: dt.date | None = None,
    group: str = "station",
    round: SpotCheckRound | int | None = None,
) -> list[SpotPassRate]:
    """Pass rates (agrees ÷ checked) of the items the actor sees, checked by the end of ``day``
    (any time when None), under ``police_prefix`` and of one ``round`` when given, grouped by
    station (9-digit prefix), police district (code) or collector (user id, ``""`` for none);
    sorted by key."""
    if group not in SPOT_GROUPS:
        raise ValueError(f"unknown group {group!r}")
    qs = _spot_checked(_spot_items_in_scope(actor), day)
    if police_prefix:
        qs = qs.filter(jurisdiction.subtree_q("police_unit", police_prefix))
    if round is not None:
        qs = qs.filter(round_id=round.pk if isinstance(round, SpotCheckRound) else round)
    if group == "station":
        qs = qs.annotate(key=Substr("police_unit_id", 1, spotchecks.STATION_PREFIX))
        key = "key"
    elif group == "district":
        key = "police_unit_id"
    else:
        key = "collector_id"
    rows = (
        qs.order_by()
        .values(key)
        .annotate(checked=Count("pk"), passed=Count("pk", filter=Q(result=SpotCheckResult.AGREES)))
    )
    out = [SpotPassRate("" if r[key] is None else str(r[key]), r["checked"], r["passed"]) for r in rows]
    return sorted(out, key=lambda r: (r.key == "", r.key))


def spot_check_pass_names(rows: list[SpotPassRate], *, group: str) -> dict[str, str]:
    """Display names of the keys of ``spot_check_pass_rates`` rows (one query)."""
    keys = [r.key for r in rows if r.key]
    if group == "station":
        return dict(
            PoliceUnit.objects.filter(kind=PoliceUnitKind.STATION, prefix__in=keys).values_list(
                "prefix", "name"
            )
        )
    if group == "district":
        return dict(PoliceUnit.objects.filter(code__in=keys).values_list("code", "name"))
    users = User.objects.filter(pk__in=[int(k) for k in keys if k.isdigit()])
    return {str(u.pk): u.display_name for u in users}


def spot_check_pass_by_station(*, county_prefix: str, day: dt.date | None) -> dict[str, tuple[int, int]]:
    """Station code (``PoliceUnit.code``) → (passed, checked) of the spot-check items stamped under
    it and checked by the end of ``day`` (any time when None), for every station of the county
    whose police-unit codes start with ``county_prefix`` that has any.

    Internal and **unscoped**: for the station ranking (``supervision.ranking``) and the bulletins,
    which show the whole county to those allowed to see it; callers check who may see the result.
    """
    stations = list(
        PoliceUnit.objects.filter(kind=PoliceUnitKind.STATION, code__startswith=county_prefix).values_list(
            "prefix", "code"
        )
    )
    rows = (
        _spot_checked(SpotCheckItem.objects.filter(jurisdiction.subtree_q("police_unit", county_prefix)), day)
        .order_by()
        .values_list("police_unit_id")
        .annotate(checked=Count("pk"), passed=Count("pk", filter=Q(result=SpotCheckResult.AGREES)))
    )
    out: dict[str, tuple[int, int]] = {}
    for unit, checked, passed in rows:
        station = next((code for prefix, code in stations if unit.startswith(prefix)), None)
        if station is None:
            continue
        p, c = out.get(station, (0, 0))
        out[station] = (p + passed, c + checked)
    return out


def spot_check_record_fields(record_type: str) -> list[tuple[str, str]]:
    """The fields a checker may mark wrong on a record of ``record_type``, with their labels."""
    names = spotchecks.RECORD_FIELDS.get(record_type, ())
    if not names:
        return []
    meta = apps.get_model(spotchecks.RECORD_LABELS[record_type])._meta
    return [(name, str(meta.get_field(name).verbose_name)) for name in names]


def spot_check_places(*, actor: User, items: list[SpotCheckItem]) -> dict[tuple[str, int], str]:
    """Where each item's record is: the full name of its address (a person's: their current
    residence in the actor's jurisdiction). One query per record type, all scoped."""
    from ybss.addresses.models import StandardAddress
    from ybss.registry.models import House, Residence, Unit

    wanted: dict[str, set[int]] = {}
    for it in items:
        wanted.setdefault(it.record_type, set()).add(it.record_id)
    out: dict[tuple[str, int], str] = {}
    queries: dict[str, Any] = {
        "address": (StandardAddress.objects, "pk", "full_name"),
        "house": (House.objects, "pk", "address__full_name"),
        "unit": (Unit.objects, "pk", "address__full_name"),
        "person": (Residence.objects.filter(active=True), "person_id", "house__address__full_name"),
    }
    for rtype, ids in wanted.items():
        if rtype not in queries:
            continue
        manager, key, name = queries[rtype]
        qs = jurisdiction.scope(manager.filter(**{f"{key}__in": sorted(ids)}), actor)
        for pk, full in qs.values_list(key, name):
            out.setdefault((rtype, pk), full)
    return out


def spot_check_checker_choices(*, actor: User, item: SpotCheckItem) -> list[User]:
    """Who may be given ``item`` to check: active users of ``spotchecks.ASSIGNABLE_ROLES`` whose
    jurisdiction holds the record, never its collector; the actor must see the item."""
    if not jurisdiction.sees_spot_checks(actor):
        return []
    units = [item.police_unit_id[:n] for n in range(1, len(item.police_unit_id) + 1)]
    divisions = [item.division_id[:n] for n in range(1, len(item.division_id) + 1)]
    qs = (
        User.objects.filter(is_active=True, role__in=spotchecks.ASSIGNABLE_ROLES)
        .filter(Q(police_unit__prefix__in=units) | Q(division__prefix__in=divisions))
        .select_related("police_unit")
        .order_by("police_unit_id", "pk")
    )
    if item.collector_id is not None:
        qs = qs.exclude(pk=item.collector_id)
    return list(qs)
