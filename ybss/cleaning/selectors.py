"""Reads of the cleaning workflow. Every function starts from ``jurisdiction.scope``.

* The queue: ``item_list`` / ``item_get`` / ``queue_counts`` over ``transfer.AddressCleaningItem``
  (stamped with the importing user's division and police unit).
* ``item_review``: one item with its parse and the matcher's candidates side by side.
* ``duplicate_scan_latest`` / ``duplicate_scan_groups``: the stored duplicate search as a user
  sees it now (their jurisdiction; merged and "not duplicate" since left out).
* ``duplicate_groups`` / ``addresses_side_by_side``: addresses of duplicate groups with the counts
  an officer weighs before choosing the survivor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ybss.addresses import matching
from ybss.addresses.models import AddressLevel, CleanState, ElementKind, StandardAddress
from ybss.addresses.parsing import ParsedAddress
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, DivisionLevel, User
from ybss.registry.models import House, Person, Unit
from ybss.transfer.models import AddressCleaningItem, CleaningState

from . import compare
from .models import DuplicateMember, DuplicateScan, NotDuplicate

#: Candidates shown for one item.
CANDIDATES = 5

MATCH_STATES = {
    "matched": _("One standard address matches."),
    "ambiguous": _("Several standard addresses could match: choose the right one."),
    "unmatched": _("No standard address matches: link another one by its code, or create it."),
}


@dataclass(frozen=True)
class ItemFilters:
    state: str = CleaningState.PENDING
    q: str = ""
    kind: str = ""
    decision: str = ""


def item_list(*, actor: User, filters: ItemFilters | None = None) -> QuerySet[AddressCleaningItem]:
    """Queue items in ``actor``'s jurisdiction, the most often seen first (they unblock most rows),
    then the oldest. ``state`` "" means every state."""
    f = filters or ItemFilters()
    qs = jurisdiction.scope(AddressCleaningItem.objects.all(), actor)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.q:
        qs = qs.filter(Q(raw_text__contains=f.q) | Q(normalised_text__contains=f.q))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.decision:
        qs = qs.filter(decision=f.decision)
    return qs.select_related("resolved_address", "source_import").order_by("-hits", "created_at", "id")


def item_get(*, actor: User, pk: int) -> AddressCleaningItem:
    """One queue item in scope (NotFound otherwise)."""
    return jurisdiction.get_in_scope(
        AddressCleaningItem.objects.select_related(
            "resolved_address", "resolved_by", "source_import", "division", "police_unit"
        ),
        actor,
        pk=pk,
    )


def queue_counts(*, actor: User) -> dict[str, int]:
    """Items in scope by state, and their total (one query)."""
    qs = jurisdiction.scope(AddressCleaningItem.objects.all(), actor)
    totals = qs.aggregate(
        all=Count("pk"),
        **{state: Count("pk", filter=Q(state=state)) for state in CleaningState.values},
    )
    return {k: v or 0 for k, v in totals.items()}


def item_kinds(*, actor: User) -> list[str]:
    """The record kinds (import kinds) present in the queue, for the filter."""
    qs = jurisdiction.scope(AddressCleaningItem.objects.exclude(kind=""), actor)
    return list(qs.order_by("kind").values_list("kind", flat=True).distinct())


# --- one item, side by side --------------------------------------------------------------------

_ADDRESS_RELATED = (
    "division",
    "division__parent",
    "police_unit",
    "road",
    "compound",
    "parent",
    "parent__road",
    "parent__compound",
)


def address_values(address: StandardAddress) -> dict[str, str]:
    """The police levels of a standard address, keyed as ``compare.LEVELS`` (a room takes the
    door-plate levels from its door plate). Expects ``_ADDRESS_RELATED`` to be loaded."""
    door: StandardAddress = address
    if address.level == AddressLevel.ROOM and address.parent is not None:
        door = address.parent
    out: dict[str, str] = {}
    division = address.division
    if division is not None:
        if division.level == DivisionLevel.VILLAGE:
            out["community"] = division.name
            if division.parent is not None:
                out["town"] = division.parent.name
        elif division.level == DivisionLevel.TOWN:
            out["town"] = division.name
    road = door.road
    if road is not None:
        out["group" if road.kind == ElementKind.GROUP else "road"] = road.name
    if door.compound is not None:
        out["compound"] = door.compound.name
    for key, attr in (("door_number", "door_number"), ("sub_number", "sub_number"), ("building", "building")):
        value = getattr(door, attr)
        if value:
            out[key] = value
    if address.level == AddressLevel.ROOM:
        if address.unit_no:
            out["unit"] = address.unit_no
        if address.floor is not None:
            out["floor"] = str(address.floor)
        if address.room_no:
            out["room"] = address.room_no
    return out


@dataclass
class CandidateView:
    """A matcher candidate with its address (in scope) and the level-by-level comparison."""

    candidate: matching.Candidate
    address: StandardAddress
    rows: list[compare.Row]

    @property
    def differing(self) -> int:
        return sum(1 for r in self.rows if r.differs)

    @property
    def percent(self) -> str:
        return f"{float(self.candidate.score) * 100:.0f}%"


@dataclass
class ItemReview:
    item: AddressCleaningItem
    state: str
    parsed: ParsedAddress
    segments: list[compare.Segment]
    candidates: list[CandidateView] = field(default_factory=list)
    parent: StandardAddress | None = None
    #: Where a new door plate would go, when the matcher can tell (the deepest division named).
    division_code: str = ""

    @property
    def values(self) -> dict[str, str]:
        return compare.values_of(self.parsed.values)

    @property
    def value_rows(self) -> list[tuple[str, str]]:
        """(label, value) of the levels the parse found, in address order."""
        v = self.values
        return [(str(label), v[key]) for key, label in compare.LEVELS if v.get(key)]

    @property
    def state_label(self) -> str:
        return str(MATCH_STATES.get(self.state, self.state))


def item_review(*, actor: User, item: AddressCleaningItem, limit: int = CANDIDATES) -> ItemReview:
    """``item`` (fetched in scope) with its parse and the matcher's candidates, each loaded in
    scope and compared level by level with the parse; ``parent`` is where a new address would go."""
    result = matching.match(item.raw_text, actor=actor, limit=limit)
    parsed = result.parsed
    ids = [c.address_id for c in result.candidates]
    if result.parent_id:
        ids.append(result.parent_id)
    loaded = {
        a.pk: a
        for a in jurisdiction.scope(StandardAddress.objects.filter(pk__in=ids), actor).select_related(
            *_ADDRESS_RELATED
        )
    }
    values = parsed.values
    views = [
        CandidateView(c, loaded[c.address_id], compare.rows(values, address_values(loaded[c.address_id])))
        for c in result.candidates
        if c.address_id in loaded
    ]
    return ItemReview(
        item=item,
        state=result.state,
        parsed=parsed,
        segments=compare.segments(item.raw_text, parsed.components),
        candidates=views,
        parent=loaded.get(result.parent_id) if result.parent_id else None,
        division_code=result.division_code,
    )


def address_by_code(*, actor: User, code: str) -> StandardAddress | None:
    """The address with ``code`` (as typed: case and spaces aside) in scope, or None."""
    code = code.strip()
    return (
        jurisdiction.scope(StandardAddress.objects.filter(code__in={code, code.upper()}), actor)
        .order_by("code")
        .first()
    )


def addresses_by_codes(*, actor: User, codes: list[str]) -> dict[str, StandardAddress]:
    """The addresses in scope among ``codes``, by code."""
    wanted = {c.strip() for c in codes} | {c.strip().upper() for c in codes}
    found = {a.code: a for a in jurisdiction.scope(StandardAddress.objects.filter(code__in=wanted), actor)}
    out = {}
    for c in codes:
        a = found.get(c.strip()) or found.get(c.strip().upper())
        if a is not None:
            out[c] = a
    return out


def addresses_in_scope(*, actor: User, ids: list[int]) -> list[StandardAddress]:
    """The addresses ``ids`` that are in scope, in id order."""
    return list(jurisdiction.scope(StandardAddress.objects.filter(pk__in=ids), actor).order_by("pk"))


def divisions_in_scope(*, actor: User) -> list[AdminDivision]:
    """The communities and villages that hold addresses in ``actor``'s jurisdiction, with their
    townships, in code order (the duplicates page's filter)."""
    codes = set(
        jurisdiction.scope(StandardAddress.objects.all(), actor)
        .order_by()
        .values_list("division_id", flat=True)
        .distinct()
    )
    towns = {c[:9].ljust(12, "0") for c in codes}
    return list(AdminDivision.objects.filter(code__in=codes | towns).order_by("code"))


# --- duplicates --------------------------------------------------------------------------------


def _count_of(model: Any, fk: str) -> Coalesce:
    rows = (
        model.objects.filter(**{fk: OuterRef("pk")}).order_by().values(fk).annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def addresses_side_by_side(*, actor: User, ids: list[int]) -> list[StandardAddress]:
    """The addresses ``ids`` that are in scope, in that order, each with ``n_houses``, ``n_units``,
    ``n_rooms`` and ``n_persons`` (registered domicile) and its levels (``values``)."""
    qs = (
        jurisdiction.scope(StandardAddress.objects.filter(pk__in=ids), actor)
        .select_related(*_ADDRESS_RELATED)
        .annotate(
            n_houses=_count_of(House, "address"),
            n_units=_count_of(Unit, "address"),
            n_rooms=_count_of(StandardAddress, "parent"),
            n_persons=_count_of(Person, "hukou_address"),
        )
    )
    found: dict[int, StandardAddress] = {a.pk: a for a in qs}
    out: list[StandardAddress] = []
    for pk in dict.fromkeys(ids):
        a = found.get(pk)
        if a is not None:
            a.values = address_values(a)  # type: ignore[attr-defined]
            out.append(a)
    return out


@dataclass
class DuplicateGroup:
    """Addresses taken for one place; ``addresses[0]`` is the suggested survivor."""

    addresses: list[StandardAddress]

    @property
    def survivor(self) -> StandardAddress:
        return self.addresses[0]

    @property
    def ids(self) -> list[int]:
        return [a.pk for a in self.addresses]

    @property
    def others(self) -> str:
        """The ids after the first, comma-separated (the merge page's ``with`` parameter)."""
        return ",".join(str(a.pk) for a in self.addresses[1:])

    @property
    def differing(self) -> set[str]:
        """Levels whose values are not the same across the group."""
        keys = {k for a in self.addresses for k in a.values}  # type: ignore[attr-defined]
        return {
            k
            for k in keys
            if len({compare.canonical(k, a.values.get(k, "")) for a in self.addresses}) > 1  # type: ignore[attr-defined]
        }

    def rows(self) -> list[tuple[str, list[str], bool]]:
        """(label, value per address, differs) for the levels any of them gives."""
        differing = self.differing
        out = []
        for key, label in compare.LEVELS:
            vals = [a.values.get(key, "") for a in self.addresses]  # type: ignore[attr-defined]
            if any(vals):
                out.append((str(label), vals, key in differing))
        return out


def duplicate_scan_latest(*, actor: User, division: str = "") -> DuplicateScan | None:
    """The latest stored duplicate search that covers ``actor``'s view of the division subtree
    ``division`` (a code prefix; "" for their whole jurisdiction): a county-wide one, or one
    limited to the actor's own jurisdiction, and not narrowed, or narrowed to a subtree that holds
    ``division``. Who started it is loaded; its groups are read with ``duplicate_scan_groups``."""
    prefixes = [division[:n] for n in range(len(division) + 1)]
    return (
        DuplicateScan.objects.filter(division_prefix__in=prefixes)
        .filter(Q(scoped=False) | Q(actor=actor))
        .select_related("actor")
        .order_by("-finished_at", "-id")
        .first()
    )


def duplicate_scan_groups(*, actor: User, scan: DuplicateScan, division: str = "") -> list[list[int]]:
    """The groups of ``scan`` as ``actor`` sees them now, as lists of ids (the first the suggested
    survivor): only addresses inside the actor's jurisdiction (and the subtree of the division code
    prefix ``division``) that are
    still live (not voided, not merged), split where a pair was marked "not a duplicate" after the
    search began, and only groups left with two or more. Two queries, whatever the size."""
    live = jurisdiction.scope(
        StandardAddress.objects.exclude(status=RecordStatus.VOIDED).exclude(clean_state=CleanState.MERGED),
        actor,
    )
    if division:
        live = live.filter(jurisdiction.subtree_q("division", division))
    rows = (
        DuplicateMember.objects.filter(scan=scan, address__in=live.values("pk"))
        .order_by("group", "position")
        .values_list("group", "address_id")
    )
    members: dict[int, list[int]] = {}
    for group, pk in rows.iterator(chunk_size=5000):
        members.setdefault(group, []).append(pk)
    apart = set(
        NotDuplicate.objects.filter(decided_at__gte=scan.started_at).values_list(
            "address_a_id", "address_b_id"
        )
    )
    out: list[list[int]] = []
    for ids in members.values():
        if len(ids) >= 2:
            out.extend(_split(ids, apart) if apart else [ids])
    return out


def _split(ids: list[int], apart: set[tuple[int, int]]) -> list[list[int]]:
    """``ids`` in clusters that hold no pair of ``apart``, in order; only clusters of two or more."""
    clusters: list[list[int]] = []
    for pk in ids:
        for cluster in clusters:
            if all(NotDuplicate.ordered_pair(pk, other) not in apart for other in cluster):
                cluster.append(pk)
                break
        else:
            clusters.append([pk])
    return [c for c in clusters if len(c) >= 2]


def duplicate_groups(*, actor: User, groups: list[list[int]]) -> list[DuplicateGroup]:
    """``groups`` of ids (``duplicate_scan_groups``) loaded side by side; only live addresses
    (not voided, not merged) count, and a group left with fewer than two is dropped."""
    loaded = {a.pk: a for a in addresses_side_by_side(actor=actor, ids=[pk for g in groups for pk in g])}
    out = []
    for g in groups:
        live = [loaded[pk] for pk in g if pk in loaded and _live(loaded[pk])]
        if len(live) >= 2:
            out.append(DuplicateGroup(live))
    return out


def _live(address: StandardAddress) -> bool:
    return address.is_active and address.clean_state != "merged"


def not_duplicate_pairs(ids: list[int] | None = None) -> set[tuple[int, int]]:
    """Pairs recorded as not duplicates, ``(smaller id, larger id)``; narrowed to pairs among
    ``ids`` when given. Not personal data: ids only."""
    qs = NotDuplicate.objects.all()
    if ids is not None:
        qs = qs.filter(address_a_id__in=ids, address_b_id__in=ids)
    return set(qs.values_list("address_a_id", "address_b_id"))
