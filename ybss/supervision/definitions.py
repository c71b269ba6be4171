"""Every rate the supervisors are judged on (DOMAIN.md §8), defined once.

A rate is a count of records (the denominator) and the part of them that is done (the numerator),
both read from one model. Each definition says:

* ``base``: which records count at all (voided records and merged duplicates never do);
* ``done``: which of them count as done;
* ``since`` / ``done_since``: the timestamps at which a record entered the denominator and became
  done, so a past day can be reconstructed from the records when no count was kept on that day;
* ``drill``: the record list behind the number — the page and query of the records *not yet* done,
  which is what a supervisor opens to see why a rate is low.

The wording in ``definition`` is shown to users next to every figure. ``MAIN_RATES`` are the four
the county is assessed on; the rest are shown beside them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import AddressLevel, CleanState, MarkState
from ybss.core.models import RecordStatus


@dataclass(frozen=True)
class RateDef:
    code: str
    label: Promise
    short: Promise
    definition: Promise
    model: str  # app_label.ModelName
    base: Q
    done: Q
    since: Callable[[], Any]
    done_since: Callable[[], Any]
    main: bool = False
    drill: tuple[str, dict[str, str]] | None = None
    #: The prefix filter names of the drill-down list (police tree, division tree), when it has them.
    drill_filters: tuple[str, str] = ("police_unit", "division")
    #: A share where less is better (人户分离): shown, never ranked.
    neutral: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


_LIVE = ~Q(status=RecordStatus.VOIDED)
_NOT_MERGED = ~Q(clean_state=CleanState.MERGED)
_ADDRESS_CLEANED = Q(clean_state=CleanState.CLEANED) & Q(
    status__in=(RecordStatus.ACCEPTED, RecordStatus.VOIDED)
)
_ADDRESS_MARKED = Q(level=AddressLevel.DOOR, mark_state=MarkState.CONFIRMED) | Q(
    level=AddressLevel.ROOM, parent__mark_state=MarkState.CONFIRMED
)


def _created() -> Any:
    return F("created_at")


def _field(name: str, fallback: str = "updated_at") -> Callable[[], Any]:
    return lambda: Coalesce(F(name), F(fallback))


def _marked_at() -> Any:
    return Case(
        When(level=AddressLevel.ROOM, then=Coalesce(F("parent__marked_at"), F("updated_at"))),
        default=Coalesce(F("marked_at"), F("updated_at")),
    )


RATES: dict[str, RateDef] = {
    d.code: d
    for d in (
        RateDef(
            code="address_cleaned",
            label=_("Standard-address cleaning rate"),
            short=_("Cleaned"),
            definition=_(
                "Addresses cleaned (standardised and deduplicated, accepted or cancelled) ÷ all "
                "addresses (duplicates merged into another left out)."
            ),
            model="addresses.StandardAddress",
            base=_NOT_MERGED,
            done=_ADDRESS_CLEANED,
            since=_created,
            done_since=_field("cleaned_at"),
            main=True,
            drill=("web:addresses", {"clean_state": "raw"}),
        ),
        RateDef(
            code="address_marked",
            label=_("Standard-address marking rate"),
            short=_("Marked"),
            definition=_(
                "Addresses whose map point is confirmed (rooms: their door plate's point) ÷ all "
                "addresses not cancelled."
            ),
            model="addresses.StandardAddress",
            base=_NOT_MERGED & _LIVE,
            done=_ADDRESS_MARKED,
            since=_created,
            done_since=_marked_at,
            main=True,
            drill=("web:addresses", {"mark_state": "unmarked"}),
        ),
        RateDef(
            code="house_verified",
            label=_("House verification rate"),
            short=_("Houses verified"),
            definition=_("Houses verified in the field (核查) ÷ all houses not cancelled."),
            model="registry.House",
            base=_LIVE,
            done=Q(verify_state="verified"),
            since=_created,
            done_since=_field("verified_at"),
            main=True,
            drill=("web:houses", {"verify_state": "pending"}),
        ),
        RateDef(
            code="unit_verified",
            label=_("Unit verification rate"),
            short=_("Units verified"),
            definition=_("Units verified (核实) ÷ all units not cancelled."),
            model="registry.Unit",
            base=_LIVE,
            done=Q(verify_state="verified"),
            since=_created,
            done_since=_field("verified_at"),
            main=True,
            drill=("web:units", {"verify_state": "pending"}),
        ),
        RateDef(
            code="collected",
            label=_("Collection rate"),
            short=_("Collected"),
            definition=_(
                "Households finished by a collection visit (collected, vacant, demolished or moved) "
                "÷ households due in collection tasks not cancelled."
            ),
            model="collection.TaskItem",
            base=~Q(task__state="cancelled"),
            done=Q(done_at__isnull=False),
            since=lambda: F("task__created_at"),
            done_since=lambda: F("done_at"),
            drill=("web:collection:tasks", {}),
        ),
        RateDef(
            code="separated",
            label=_("Household separation (人户分离) share"),
            short=_("Separated"),
            definition=_(
                "Current residences where the person does not live at their registered domicile "
                "(人户分离) ÷ all current residences."
            ),
            model="registry.Residence",
            base=_LIVE & Q(active=True),
            done=Q(separated=True),
            since=_created,
            done_since=_created,
            neutral=True,
            drill=("web:persons", {"separated": "yes"}),
        ),
        RateDef(
            code="rental_filed",
            label=_("Rental registration rate"),
            short=_("Rentals filed"),
            definition=_("Rented-out houses with a rental filing number ÷ all rented-out houses."),
            model="registry.House",
            base=_LIVE & Q(use="rented"),
            done=~Q(rental_filing_no=""),
            since=_created,
            done_since=lambda: F("updated_at"),
            drill=("web:houses", {"use": "rented"}),
        ),
        RateDef(
            code="phone_collected",
            label=_("Phone-number collection rate"),
            short=_("Phones"),
            definition=_("People with a phone number recorded ÷ all people not cancelled."),
            model="registry.Person",
            base=_LIVE,
            done=~Q(phone=""),
            since=_created,
            done_since=lambda: F("updated_at"),
            drill=None,  # the person list has no "without a phone" filter
        ),
        RateDef(
            code="problem_closed",
            label=_("Problem closure rate"),
            short=_("Problems closed"),
            definition=_(
                "Problems found by the quality checks that were fixed or confirmed true ÷ all problems found."
            ),
            model="quality.Problem",
            base=Q(),
            done=Q(state__in=("fixed", "confirmed")),
            since=lambda: F("first_seen"),
            done_since=_field("closed_at", "last_seen"),
            drill=("web:quality:ledger", {"state": "active"}),
        ),
        RateDef(
            code="spot_check_passed",
            label=_("Spot-check pass rate"),
            short=_("Spot checks passed"),
            definition=_("Spot-checked records found to agree with the field ÷ all spot-checked records."),
            model="supervision.SpotCheckItem",
            base=~Q(result="pending") & Q(checked_at__isnull=False),
            done=Q(result="agrees"),
            since=lambda: F("checked_at"),
            done_since=lambda: F("checked_at"),
            drill=None,
        ),
    )
}

MAIN_RATES: tuple[str, ...] = tuple(code for code, d in RATES.items() if d.main)
OTHER_RATES: tuple[str, ...] = tuple(code for code, d in RATES.items() if not d.main)


def rate_def(code: str) -> RateDef:
    """The definition of ``code``; KeyError for an unknown rate."""
    return RATES[code]
