"""Writes of the cleaning workflow (清理): decide queue items, merge duplicate standard addresses,
remember pairs that are not duplicates.

Same contract as every service: ``actor`` first, scope checked through ``org.jurisdiction``,
field-level ``InvalidInput`` before anything is saved, one transaction per call (nothing is ever
half-saved), a history row on every record that changes, optimistic versions.

Who may do what: deciding a queue item (link, create, set aside) needs a role that edits
(``jurisdiction.check_can_write`` on the item's and the address's hierarchy). Merging voids
addresses, so, like voiding (``audit.records.record_move``), it needs a reviewing role as well, and
the actor must be able to write every address of the merge. "Not a duplicate" needs edit rights
over both addresses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ybss.addresses import matching
from ybss.addresses.models import AddressAlias, AddressLevel, CleanState, StandardAddress
from ybss.addresses.services import (
    DoorPlateData,
    door_code,
    door_plate_create,
    room_create,
)
from ybss.audit.models import HistoryAction
from ybss.audit.services import history_record
from ybss.core.errors import Conflict, FieldErrors, InvalidInput, NotFound
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import User
from ybss.registry.models import Person
from ybss.transfer.models import AddressCleaningItem, CleaningDecision, CleaningState

from .merge import MergeResult, address_merge, address_merge_by_ids
from .models import DuplicateMember, DuplicateScan, NotDuplicate
from .writes import actor_user, write

__all__ = [
    "Decision",
    "MergeResult",
    "NewAddressData",
    "address_merge",
    "address_merge_by_ids",
    "duplicate_scan_run",
    "duplicates_scan",
    "item_accept",
    "item_create",
    "item_set_aside",
    "not_duplicate_mark",
]

#: Decisions that set an item aside (no address), and the state they leave it in.
SET_ASIDE = (CleaningDecision.NOT_ADDRESS, CleaningDecision.REJECTED)
ALIAS_MAX = AddressAlias._meta.get_field("name").max_length or 200


# --- small shared writes -----------------------------------------------------------------------


def _can_write(actor: User, record: Any) -> bool:
    try:
        jurisdiction.check_can_write(
            actor, division_id=record.division_id or "", police_unit_id=record.police_unit_id or ""
        )
    except NotFound:
        return False
    return True


def _add_alias(address: StandardAddress, name: str, kind: str) -> bool:
    """``name`` as an alias of ``address`` unless it is its full name or already there."""
    name = (name or "").strip()
    if not name or len(name) > ALIAS_MAX or name == address.full_name:
        return False
    _alias, created = AddressAlias.objects.get_or_create(address=address, name=name, defaults={"kind": kind})
    return created


# --- queue items -------------------------------------------------------------------------------


@dataclass
class Decision:
    """What deciding an item did: the item, the address it now names (None when set aside), and
    how many records imported with the same text were linked to it."""

    item: AddressCleaningItem
    address: StandardAddress | None = None
    created: list[StandardAddress] = field(default_factory=list)
    linked_persons: int = 0
    alias_added: bool = False


def _item_for_decision(actor: User, item_id: int, expected_version: int) -> AddressCleaningItem:
    """The pending item, in scope and writable by ``actor``, still at ``expected_version``."""
    item = jurisdiction.get_in_scope(AddressCleaningItem.objects.select_for_update(), actor, pk=item_id)
    jurisdiction.check_can_write(
        actor, division_id=item.division_id or "", police_unit_id=item.police_unit_id or ""
    )
    if item.state != CleaningState.PENDING:
        raise InvalidInput(
            _("This address has already been dealt with; reload the queue."), code="cleaning.decided"
        )
    if item.version != expected_version:
        raise Conflict()
    return item


def _decide(
    *,
    actor: User,
    item: AddressCleaningItem,
    state: str,
    decision: str,
    address: StandardAddress | None,
    reason: str,
) -> AddressCleaningItem:
    return write(
        actor=actor,
        record=item,
        changes={
            "state": state,
            "decision": decision,
            "resolved_address": address,
            "resolved_by": actor_user(actor),
            "resolved_at": timezone.now(),
            "decision_reason": reason[:500],
        },
        reason=reason,
        action=HistoryAction.STATUS,
    )


def _mark_cleaned(actor: User, address: StandardAddress, reason: str) -> StandardAddress:
    if address.clean_state == CleanState.CLEANED:
        return address
    return write(
        actor=actor,
        record=address,
        changes={"clean_state": CleanState.CLEANED, "cleaned_at": timezone.now()},
        reason=reason,
    )


def _link_persons(actor: User, item: AddressCleaningItem, address: StandardAddress, reason: str) -> int:
    """Persons in scope whose registered-domicile text is this item's text and who have no
    standard address for it yet: linked to ``address`` (a history row each)."""
    text = item.raw_text.strip()
    if not text or len(text) > (Person._meta.get_field("hukou_address_text").max_length or 200):
        return 0
    persons = jurisdiction.scope(
        Person.objects.filter(hukou_address__isnull=True, hukou_address_text=text).exclude(
            status=RecordStatus.VOIDED
        ),
        actor,
    ).select_for_update()
    n = 0
    for person in persons.order_by("pk"):
        if _can_write(actor, person):
            write(actor=actor, record=person, changes={"hukou_address": address}, reason=reason)
            n += 1
    return n


def _settle(
    actor: User, item: AddressCleaningItem, address: StandardAddress, decision: str, reason: str
) -> Decision:
    """The common end of linking and creating: address cleaned, the text kept as its alias (so a
    re-run of the import matches it), unlinked records linked, the item resolved."""
    note = reason or gettext("Address cleaning: %(text)s") % {"text": item.raw_text[:200]}
    address = _mark_cleaned(actor, address, note)
    alias_added = _add_alias(address, item.raw_text, AddressAlias.Kind.ALIAS)
    linked = _link_persons(actor, item, address, note)
    item = _decide(
        actor=actor,
        item=item,
        state=CleaningState.RESOLVED,
        decision=decision,
        address=address,
        reason=reason,
    )
    return Decision(item=item, address=address, linked_persons=linked, alias_added=alias_added)


@transaction.atomic
def item_accept(
    *,
    actor: User,
    item_id: int,
    expected_version: int,
    address_id: Any,
    reason: str = "",
    decision: str = CleaningDecision.LINKED,
) -> Decision:
    """接受候选: the queue item names the existing standard address ``address_id``.

    The address is marked cleaned, the item's text becomes one of its aliases (a re-run of the
    import then matches it) and persons whose registered-domicile text is the same text are
    linked to it. A missing, out-of-scope, voided or merged address is a field error on
    ``address_id``; an item already decided is ``cleaning.decided``; a stale version a Conflict.
    ``decision`` is "linked" (an officer chose) or "auto" (a batch run linked an exact match).
    """
    if decision not in (CleaningDecision.LINKED, CleaningDecision.AUTO):
        raise ValueError(f"not a linking decision: {decision}")
    item = _item_for_decision(actor, item_id, expected_version)
    address = _address_to_link(actor, address_id)
    return _settle(actor, item, address, decision, reason.strip())


def _address_to_link(actor: User, address_id: Any) -> StandardAddress:
    try:
        address = jurisdiction.get_in_scope(StandardAddress.objects.all(), actor, pk=int(address_id))
    except (NotFound, TypeError, ValueError):
        raise InvalidInput(
            code="cleaning.no_address",
            fields={"address_id": [_("Choose one of the candidate addresses.")]},
        ) from None
    if not _can_write(actor, address):
        raise InvalidInput(
            code="cleaning.no_address",
            fields={"address_id": [_("This address is outside your jurisdiction.")]},
        )
    if address.status == RecordStatus.VOIDED or address.clean_state == CleanState.MERGED:
        raise InvalidInput(
            code="cleaning.address_voided",
            fields={"address_id": [_("This address is voided or merged into another; choose another one.")]},
        )
    return address


@dataclass
class NewAddressData:
    """A new standard address for a queue item: a door plate, or a room (层户) under an existing door
    plate (``door_id``) or under a door plate created from the door fields in the same step."""

    division_code: str = ""
    police_unit_code: str = ""
    road_id: int | None = None
    door_number: str = ""
    door_prefix: str = ""
    door_suffix: str = ""
    sub_number: str = ""
    compound_id: int | None = None
    building: str = ""
    common_name: str = ""
    door_id: int | None = None
    unit_no: str = ""
    floor: int | None = None
    room_no: str = ""

    @property
    def wants_room(self) -> bool:
        return bool(self.room_no or self.unit_no or self.floor is not None)

    def door_plate(self) -> DoorPlateData:
        return DoorPlateData(
            division_code=self.division_code,
            police_unit_code=self.police_unit_code,
            road_id=self.road_id or 0,
            door_number=self.door_number,
            door_prefix=self.door_prefix,
            door_suffix=self.door_suffix,
            sub_number=self.sub_number,
            compound_id=self.compound_id,
            building=self.building,
            common_name=self.common_name,
        )


def _door_for_room(actor: User, data: NewAddressData, reason: str) -> tuple[StandardAddress, bool]:
    """The door plate a new room goes under: ``door_id``, or the one the door fields name (an
    existing one is reused), or a new one. Returns (door, created)."""
    if data.door_id:
        try:
            door = jurisdiction.get_in_scope(StandardAddress.objects.all(), actor, pk=data.door_id)
        except NotFound:
            raise InvalidInput(
                code="cleaning.no_door", fields={"door_id": [_("Choose a door plate in your jurisdiction.")]}
            ) from None
        if door.level != AddressLevel.DOOR:
            raise InvalidInput(
                code="cleaning.no_door",
                fields={"door_id": [_("Rooms can only be created under a door plate.")]},
            )
        return door, False
    try:
        return door_plate_create(actor=actor, data=data.door_plate(), reason=reason), True
    except InvalidInput as err:
        if err.code != "address.duplicate":
            raise
        existing = _existing_door(actor, data)
        if existing is None:
            raise
        return existing, False


def _existing_door(actor: User, data: NewAddressData) -> StandardAddress | None:
    from ybss.addresses.models import AddressElement

    road = AddressElement.objects.filter(pk=int(data.road_id or 0)).first()
    if road is None:
        return None
    code = door_code(
        division_code=data.division_code,
        road=road,
        door_number=data.door_number,
        door_prefix=data.door_prefix,
        door_suffix=data.door_suffix,
        sub_number=data.sub_number,
        building=data.building,
    )
    return jurisdiction.scope(StandardAddress.objects.filter(code=code), actor).first()


@transaction.atomic
def item_create(
    *, actor: User, item_id: int, expected_version: int, data: NewAddressData, reason: str = ""
) -> Decision:
    """新建标准地址: the queue item becomes a new door plate, or a new room address.

    Goes through ``addresses.services.door_plate_create`` / ``room_create`` (their field errors
    come back as they are, under this dataclass's field names); what is created is marked cleaned
    (it is standardised by construction) and stays a draft for review. Then as ``item_accept``.
    """
    item = _item_for_decision(actor, item_id, expected_version)
    reason = reason.strip()
    note = reason or gettext("Created from the cleaning queue: %(text)s") % {"text": item.raw_text[:200]}
    created: list[StandardAddress] = []
    if data.wants_room:
        door, door_created = _door_for_room(actor, data, note)
        if door_created:
            created.append(_mark_cleaned(actor, door, note))
        try:
            address = room_create(
                actor=actor,
                door_id=door.pk,
                unit_no=data.unit_no,
                floor=data.floor,
                room_no=data.room_no,
                reason=note,
            )
        except InvalidInput as err:
            if "door" in err.fields:
                err.fields["door_id"] = err.fields.pop("door")
            raise
    else:
        address = door_plate_create(actor=actor, data=data.door_plate(), reason=note)
    result = _settle(actor, item, address, CleaningDecision.CREATED, reason)
    result.created = [*created, result.address] if result.address is not None else created
    return result


@transaction.atomic
def item_set_aside(
    *, actor: User, item_id: int, expected_version: int, decision: str, reason: str
) -> Decision:
    """不是地址 / 驳回: the item names no standard address. ``reason`` is required."""
    item = _item_for_decision(actor, item_id, expected_version)
    errors = FieldErrors()
    if decision not in SET_ASIDE:
        errors.add("decision", _("Choose “not an address” or “reject”."))
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("Please give a reason."))
    errors.raise_if_any()
    item = _decide(
        actor=actor, item=item, state=CleaningState.REJECTED, decision=decision, address=None, reason=reason
    )
    return Decision(item=item)


# --- duplicates --------------------------------------------------------------------------------


def duplicates_scan(*, actor: User, division_prefix: str = "") -> list[list[int]]:
    """Groups of ids of duplicate standard addresses in ``actor``'s jurisdiction, narrowed to a
    division subtree, searched now (``addresses.matching.find_duplicates``: pairs recorded as not
    duplicates are skipped; the first id is the suggested survivor). Seconds at county scale: pages
    read the stored ``duplicate_scan_run`` instead. Writes nothing."""
    groups = matching.find_duplicates(actor=actor, division_prefix=division_prefix)
    return [list(dict.fromkeys(g)) for g in groups if len(set(g)) >= 2]


@dataclass(frozen=True)
class ScanResult:
    scan: DuplicateScan
    groups: list[list[int]]


def duplicate_scan_run(
    *,
    actor: User | None,
    scoped: bool = False,
    division_prefix: str = "",
    job_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScanResult:
    """查重: search the duplicate standard addresses and store the groups as a new ``DuplicateScan``
    started by ``actor`` (None: the command line).

    The search covers the whole county, or only ``actor``'s jurisdiction when ``scoped``, narrowed
    to ``division_prefix``. An unscoped search on a user's behalf shows them nothing beyond their
    jurisdiction: it stores address ids, and pages show each user only the part of a scan inside
    their own (``selectors.duplicate_scan_groups``). The search runs outside any transaction; the
    scan and its groups are then written in one, and the older scans of the same coverage it
    replaces are deleted with it. ``progress(done, total)`` is called as the addresses are read.
    """
    if scoped and actor is None:
        raise ValueError("a scoped duplicate search needs the actor whose jurisdiction it covers")
    started = timezone.now()
    found = matching.find_duplicates(
        actor=actor if scoped else None, division_prefix=division_prefix, progress=progress
    )
    groups = [ids for ids in (list(dict.fromkeys(g)) for g in found) if len(ids) >= 2]
    with transaction.atomic():
        scan = DuplicateScan.objects.create(
            actor=actor_user(actor),
            scoped=scoped,
            division_prefix=division_prefix,
            job_id=job_id,
            started_at=started,
            finished_at=timezone.now(),
            group_count=len(groups),
            address_count=sum(len(g) for g in groups),
        )
        DuplicateMember.objects.bulk_create(
            (
                DuplicateMember(scan=scan, group=n, position=i, address_id=pk)
                for n, ids in enumerate(groups, 1)
                for i, pk in enumerate(ids)
            ),
            batch_size=2000,
        )
        replaced = DuplicateScan.objects.filter(
            scoped=scoped, division_prefix=division_prefix, finished_at__lte=scan.finished_at
        ).exclude(pk=scan.pk)
        if scoped:
            replaced = replaced.filter(actor=scan.actor)
        DuplicateMember.objects.filter(scan__in=replaced).delete()  # one statement, not row by row
        replaced.delete()
    return ScanResult(scan, groups)


@transaction.atomic
def not_duplicate_mark(
    *, actor: User, addresses: Sequence[StandardAddress], reason: str = ""
) -> list[NotDuplicate]:
    """不是重复: every pair of ``addresses`` is recorded as different places, so the duplicate
    scan does not propose it again; a history row on each address. Pairs already recorded are kept
    as they are. Returns the pairs recorded now."""
    ids = list(dict.fromkeys(a.pk for a in addresses))
    if len(ids) < 2:
        raise InvalidInput(code="cleaning.too_few", fields={"members": [_("Choose at least two addresses.")]})
    rows = list(jurisdiction.scope(StandardAddress.objects.filter(pk__in=ids), actor).order_by("pk"))
    if len(rows) != len(ids):
        raise NotFound()
    for a in rows:
        jurisdiction.check_can_write(actor, division_id=a.division_id, police_unit_id=a.police_unit_id)
    reason = (reason or "").strip()
    now = timezone.now()
    made: list[NotDuplicate] = []
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            pair, created = NotDuplicate.objects.get_or_create(
                address_a_id=a.pk,
                address_b_id=b.pk,
                defaults={"decided_by": actor_user(actor), "decided_at": now, "reason": reason[:500]},
            )
            if created:
                made.append(pair)
    by_id = {a.pk: a for a in rows}
    for a in rows:
        partners = [
            p.address_b_id if p.address_a_id == a.pk else p.address_a_id
            for p in made
            if a.pk in (p.address_a_id, p.address_b_id)
        ]
        if not partners:
            continue
        others = "、".join(by_id[pk].code for pk in partners)
        history_record(
            actor=actor,
            record=a,
            action=HistoryAction.UPDATE,
            reason=(
                gettext("Not the same place as %(codes)s.") % {"codes": others}
                + (f" {reason}" if reason else "")
            ),
        )
    return made
