"""The two address rates (DOMAIN.md §8), defined once, for any node of either hierarchy.

* **标准地址清理率** = addresses cleaned ÷ all addresses. Cleaned: ``clean_state`` is "cleaned"
  (standardised and checked for duplicates through the cleaning workflow) and the address is
  有效 (accepted) or 注销 (voided).
* **标准地址标注率** = addresses with confirmed coordinates ÷ all addresses. A door plate counts
  when its own point is confirmed; a room (层户) address sits at its door plate's point and counts
  when its door plate's point is confirmed.

"All addresses" are the standard addresses in scope, both levels, except duplicates merged into
another (they no longer stand for a place of their own); drafts are included (addresses the work
has still to finish). The marking rate also leaves out cancelled (注销) addresses: there is no
place left to put on the map, and a cancelled record cannot be changed. Every figure carries its numerator and
denominator so pages can show both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import User

from .models import AddressLevel, CleanState, MarkState, StandardAddress


@dataclass(frozen=True)
class Rate:
    code: str
    label: str
    numerator: int
    denominator: int
    definition: str

    @property
    def value(self) -> float | None:
        """numerator ÷ denominator, or None when there is nothing to count."""
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> str:
        """ "97.35%", or "—" when there is nothing to count."""
        return "—" if self.value is None else f"{self.value * 100:.2f}%"


LABELS = {
    "address_cleaned": _("Standard-address cleaning rate"),
    "address_marked": _("Standard-address marking rate"),
}
DEFINITIONS = {
    "address_cleaned": _(
        "Addresses cleaned (standardised and deduplicated, accepted or cancelled) ÷ all addresses."
    ),
    "address_marked": _(
        "Addresses whose map point is confirmed (rooms: their door plate's point) ÷ all addresses "
        "not cancelled."
    ),
}

_CLEANED = Q(clean_state=CleanState.CLEANED) & Q(status__in=(RecordStatus.ACCEPTED, RecordStatus.VOIDED))
_MARKED = Q(level=AddressLevel.DOOR, mark_state=MarkState.CONFIRMED) | Q(
    level=AddressLevel.ROOM, parent__mark_state=MarkState.CONFIRMED
)


def counted(qs: QuerySet[StandardAddress]) -> QuerySet[StandardAddress]:
    """The addresses the rates count: ``qs`` without duplicates merged into another."""
    return qs.exclude(clean_state=CleanState.MERGED)


def address_rates(*, actor: User, division_prefix: str = "", police_unit_prefix: str = "") -> dict[str, Rate]:
    """Both rates over the addresses in ``actor``'s jurisdiction, narrowed to a division and/or
    police-unit subtree (code prefixes). One query."""
    qs = jurisdiction.scope(StandardAddress.objects.all(), actor)
    if division_prefix:
        qs = qs.filter(jurisdiction.subtree_q("division", division_prefix))
    if police_unit_prefix:
        qs = qs.filter(jurisdiction.subtree_q("police_unit", police_unit_prefix))
    return rates_of(qs)


def rates_of(qs: QuerySet[StandardAddress]) -> dict[str, Rate]:
    """Both rates over an already scoped queryset of addresses."""
    live = ~Q(status=RecordStatus.VOIDED)
    totals = counted(qs).aggregate(
        all=Count("pk"),
        live=Count("pk", filter=live),
        cleaned=Count("pk", filter=_CLEANED),
        marked=Count("pk", filter=_MARKED & live),
    )
    return {
        code: Rate(code, str(LABELS[code]), totals[key], totals[whole], str(DEFINITIONS[code]))
        for code, key, whole in (("address_cleaned", "cleaned", "all"), ("address_marked", "marked", "live"))
    }
