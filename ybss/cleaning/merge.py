"""合并重复地址: merging duplicate standard addresses into one, with every reference moved.

``address_merge`` (re-exported by ``cleaning.services``) checks the request, then hands the pairs
(duplicate → survivor) to ``_Merge``, which carries over every foreign key to StandardAddress
through ``HANDLERS`` (one entry per relation; ``reference_fields`` lists them, hidden ones
included) and voids the duplicates as merged. Rooms under a duplicate door plate either move
under the survivor or, when the survivor has the same room, are merged into it: the same
machinery one level down. Each step works on all pairs of a level at once, so a building merged
with all its rooms costs a few dozen queries, not a few per room.

Everything runs in the caller's transaction, on rows locked ``select_for_update`` (the addresses
named in the request, their rooms, and every row that is moved); versions of moved business
records are bumped and each gets one history row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import AddressAlias, CleanState, StandardAddress
from ybss.addresses.services import room_code, room_full_name
from ybss.audit.models import HistoryAction, RecordHistory
from ybss.audit.services import history_bulk
from ybss.core import events
from ybss.core.errors import Conflict, FieldErrors, Forbidden, NotFound
from ybss.core.models import BusinessRecord, RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import User
from ybss.transfer.models import AddressCleaningItem

from .models import NotDuplicate
from .writes import actor_user, write

ALIAS_MAX = AddressAlias._meta.get_field("name").max_length or 200

Pair = tuple[StandardAddress, StandardAddress]  # (duplicate, survivor)


@dataclass
class MergeResult:
    survivor: StandardAddress
    merged: list[StandardAddress] = field(default_factory=list)
    #: How many rows of each reference were moved, by ``relation_key``.
    moved: dict[str, int] = field(default_factory=dict)

    def count(self, key: str, n: int) -> None:
        if n:
            self.moved[key] = self.moved.get(key, 0) + n


def relation_key(fk: models.Field[Any, Any]) -> str:
    """``app_label.model.field`` of a foreign key to StandardAddress."""
    return f"{fk.model._meta.label_lower}.{fk.name}"


def reference_fields() -> list[Any]:
    """Every foreign key (and one-to-one) to StandardAddress in the project.

    ``StandardAddress._meta.related_objects`` leaves out relations declared with
    ``related_name="+"`` (``Person.hukou_address``, ``merged_into``, the queue's
    ``resolved_address``, ``NotDuplicate``), so this reads ``get_fields(include_hidden=True)``.
    """
    return [
        rel.field  # type: ignore[union-attr]
        for rel in StandardAddress._meta.get_fields(include_hidden=True)
        if rel.is_relation and rel.auto_created and not rel.concrete and not rel.many_to_many
    ]


def _plain(value: Any) -> Any:
    """A history value as JSON holds it (as ``audit.services.history_record`` stores it)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _live(address: StandardAddress) -> bool:
    return address.status != RecordStatus.VOIDED and address.clean_state != CleanState.MERGED


class _Merge:
    """One merge in progress: the actor, the reason, the time and the running result."""

    def __init__(self, actor: User, reason: str, result: MergeResult) -> None:
        self.actor = actor
        self.user = actor_user(actor)
        self.reason = reason
        self.result = result
        self.now = timezone.now()

    def history(self, record_type: str, rows: Iterable[tuple[int, int, dict[str, Any]]]) -> None:
        """One MERGE history row per (id, new version, changes)."""
        history_bulk(
            RecordHistory(
                at=self.now,
                actor=self.user,
                record_type=record_type,
                record_id=pk,
                version=version,
                action=HistoryAction.MERGE,
                changes={k: [_plain(v) for v in pair] for k, pair in changes.items()},
                reason=self.reason[:500],
            )
            for pk, version, changes in rows
        )

    # moving plain references ------------------------------------------------------------------

    def move_records(self, pairs: Sequence[Pair], fk: Any) -> None:
        """Business records pointing at a duplicate: re-pointed at its survivor, version bumped,
        one history row each."""
        model, column = fk.model, fk.attname
        target = {d.pk: k for d, k in pairs}
        names = {d.pk: d.full_name for d, _k in pairs}
        rows = list(
            model._default_manager.select_for_update()
            .filter(**{f"{column}__in": list(target)})
            .order_by("pk")
            .values_list("pk", "version", column)
        )
        by_dup: dict[int, list[int]] = defaultdict(list)
        for pk, _version, dup_id in rows:
            by_dup[dup_id].append(pk)
        for dup_id, pks in by_dup.items():
            n = model._default_manager.filter(pk__in=pks, **{column: dup_id}).update(
                **{column: target[dup_id].pk},
                version=F("version") + 1,
                updated_at=self.now,
                updated_by=self.user,
            )
            if n != len(pks):
                raise Conflict()
        self.history(
            model._meta.label_lower,
            ((pk, v + 1, {fk.name: [names[d], target[d].full_name]}) for pk, v, d in rows),
        )
        self.result.count(relation_key(fk), len(rows))

    def move_plain(self, pairs: Sequence[Pair], fk: Any) -> None:
        """Rows without version or history (anything that is not a business record)."""
        manager = fk.model._default_manager
        for dup, keep in pairs:
            n = manager.filter(**{fk.attname: dup.pk}).update(**{fk.attname: keep.pk})
            self.result.count(relation_key(fk), n)

    def move_items(self, pairs: Sequence[Pair], fk: Any) -> None:
        """Queue items resolved to a duplicate now name its survivor (version, history each)."""
        target = {d.pk: k for d, k in pairs}
        items = AddressCleaningItem.objects.select_for_update().filter(resolved_address__in=list(target))
        for item in items.order_by("pk"):
            changes = {"resolved_address": target[int(item.resolved_address_id or 0)]}
            write(
                actor=self.actor, record=item, changes=changes, reason=self.reason, action=HistoryAction.MERGE
            )
            self.result.count(relation_key(fk), 1)

    def move_aliases(self, pairs: Sequence[Pair], fk: Any) -> None:
        """A duplicate's aliases become its survivor's (one the survivor already has is dropped)."""
        target = {d.pk: k for d, k in pairs}
        aliases = list(AddressAlias.objects.filter(address__in=list(target)).order_by("pk"))
        if not aliases:
            return
        taken = set(
            AddressAlias.objects.filter(address__in=[k.pk for k in target.values()]).values_list(
                "address_id", "name"
            )
        )
        for alias in aliases:
            keep = target[alias.address_id]
            if (keep.pk, alias.name) in taken or alias.name == keep.full_name:
                alias.delete()
                continue
            AddressAlias.objects.filter(pk=alias.pk).update(address=keep)
            taken.add((keep.pk, alias.name))
            self.result.count(relation_key(fk), 1)

    def move_merged(self, pairs: Sequence[Pair], fk: Any) -> None:
        """Addresses merged into a duplicate earlier now point at its survivor (no chains)."""
        target = {d.pk: k for d, k in pairs}
        for old in (
            StandardAddress.objects.select_for_update().filter(merged_into__in=list(target)).order_by("pk")
        ):
            changes = {"merged_into": target[int(old.merged_into_id or 0)]}
            write(
                actor=self.actor, record=old, changes=changes, reason=self.reason, action=HistoryAction.MERGE
            )
            self.result.count(relation_key(fk), 1)

    def move_not_duplicates(self, pairs: Sequence[Pair], fk: Any) -> None:
        """ "Not a duplicate" decisions about a duplicate carry over to its survivor; one between
        the two (overruled by this merge) or one the survivor already has is dropped."""
        target = {d.pk: k.pk for d, k in pairs}
        column = fk.attname
        for row in NotDuplicate.objects.filter(**{f"{column}__in": list(target)}).order_by("pk"):
            mine = getattr(row, column)
            other = row.address_b_id if column == "address_a_id" else row.address_a_id
            keep = target[mine]
            other = target.get(other, other)
            a, b = NotDuplicate.ordered_pair(keep, other)
            if (
                a == b
                or NotDuplicate.objects.filter(address_a_id=a, address_b_id=b).exclude(pk=row.pk).exists()
            ):
                row.delete()
                continue
            NotDuplicate.objects.filter(pk=row.pk).update(address_a_id=a, address_b_id=b)
            self.result.count(relation_key(fk), 1)

    # rooms ----------------------------------------------------------------------------------

    def move_rooms(self, pairs: Sequence[Pair], fk: Any) -> None:
        """Rooms under a duplicate door plate: a room the survivor already has (same unit and
        room number) absorbs it by a room merge; any other moves under the survivor with the new
        code and full name (its old full name kept as a former name)."""
        target = {d.pk: k for d, k in pairs}
        rooms = list(
            StandardAddress.objects.select_for_update().filter(parent__in=list(target)).order_by("pk")
        )
        if not rooms:
            return
        twins: dict[tuple[int | None, str, str], StandardAddress] = {}
        survivors = StandardAddress.objects.filter(parent__in=[k.pk for k in target.values()]).order_by("-pk")
        for r in survivors.exclude(status=RecordStatus.VOIDED).exclude(clean_state=CleanState.MERGED):
            twins[(r.parent_id, r.unit_no, r.room_no)] = r  # descending: the oldest wins
        merge_pairs: list[Pair] = []
        moves: list[tuple[StandardAddress, dict[str, Any]]] = []
        for room in rooms:
            keep = target[int(room.parent_id or 0)]
            twin = twins.get((keep.pk, room.unit_no, room.room_no))
            if _live(room) and twin is not None:
                merge_pairs.append((room, twin))
                continue
            changes: dict[str, Any] = {"parent_id": keep.pk}
            if _live(room):
                changes.update(
                    code=room_code(keep, room.unit_no, room.room_no),
                    full_name=room_full_name(
                        keep, unit_no=room.unit_no, floor=room.floor, room_no=room.room_no
                    ),
                    road_id=keep.road_id,
                    compound_id=keep.compound_id,
                    division_id=keep.division_id,
                    police_unit_id=keep.police_unit_id,
                )
            moves.append((room, changes))
        names = {a.pk: a.full_name for pair in pairs for a in pair}
        self._move_rooms(moves, names)
        self.result.count(relation_key(fk), len(rooms))
        if merge_pairs:
            self.merge(merge_pairs)

    def _move_rooms(self, moves: list[tuple[StandardAddress, dict[str, Any]]], names: dict[int, str]) -> None:
        """Apply the moves (bulk), each with its history row and its old full name as an alias."""
        if not moves:
            return
        wanted = {c["code"] for _r, c in moves if "code" in c}
        taken = set(StandardAddress.objects.filter(code__in=wanted).values_list("code", flat=True))
        seen: set[str] = set()
        history = []
        aliases = []
        for room, changes in moves:
            code = changes.get("code")
            if code is not None and (code in taken or code in seen):
                del changes["code"]  # the code is held (by a voided room): keep the old one
            elif code is not None:
                seen.add(code)
            diff = {k: [getattr(room, k), v] for k, v in changes.items() if getattr(room, k) != v}
            if "full_name" in diff:
                aliases.append(
                    AddressAlias(address=room, name=room.full_name[:ALIAS_MAX], kind=AddressAlias.Kind.OLD)
                )
            for k, v in changes.items():
                setattr(room, k, v)
            room.version += 1
            room.updated_at = self.now
            room.updated_by = self.user
            if "parent_id" in diff:
                old_parent, new_parent = diff["parent_id"]
                diff["parent_id"] = [names.get(old_parent, old_parent), names.get(new_parent, new_parent)]
            history.append((room.pk, room.version, {k.removesuffix("_id"): pair for k, pair in diff.items()}))
        StandardAddress.objects.bulk_update(
            [r for r, _c in moves],
            [
                "parent_id",
                "code",
                "full_name",
                "road_id",
                "compound_id",
                "division_id",
                "police_unit_id",
                "version",
                "updated_at",
                "updated_by",
            ],
            batch_size=500,
        )
        AddressAlias.objects.bulk_create(aliases, ignore_conflicts=True)
        self.history(StandardAddress._meta.label_lower, history)
        for room, _changes in moves:  # their names changed: followers (the search index) catch up
            transaction.on_commit(partial(events.record_changed, StandardAddress._meta.label_lower, room.pk))

    # a level of duplicates ------------------------------------------------------------------

    def merge(self, pairs: Sequence[Pair]) -> None:
        """Every reference to each duplicate moved to its survivor; the duplicates voided as
        merged into their survivors, whose former names they become."""
        for fk in sorted(reference_fields(), key=lambda f: relation_key(f) != PARENT):
            HANDLERS.get(relation_key(fk), _generic)(self, pairs, fk)
        dups = {d.pk: k for d, k in pairs}
        fresh = {a.pk: a for a in StandardAddress.objects.filter(pk__in=list(dups))}
        changes_of = {
            "status": RecordStatus.VOIDED,
            "status_reason": self.reason[:500],
            "clean_state": CleanState.MERGED,
            "cleaned_at": self.now,
        }
        history = []
        for pk, keep in dups.items():
            d = fresh[pk]
            diff: dict[str, Any] = {
                k: [getattr(d, k), v] for k, v in changes_of.items() if getattr(d, k) != v
            }
            diff["merged_into"] = [None, keep.full_name]
            for k, v in changes_of.items():
                setattr(d, k, v)
            d.merged_into = keep
            d.version += 1
            d.updated_at = self.now
            d.updated_by = self.user
            history.append((d.pk, d.version, diff))
            self.result.merged.append(d)
        StandardAddress.objects.bulk_update(
            list(fresh.values()),
            [*changes_of, "merged_into", "version", "updated_at", "updated_by"],
            batch_size=500,
        )
        self.history(StandardAddress._meta.label_lower, history)
        AddressAlias.objects.bulk_create(
            [
                AddressAlias(address=keep, name=fresh[pk].full_name[:ALIAS_MAX], kind=AddressAlias.Kind.OLD)
                for pk, keep in dups.items()
                if fresh[pk].full_name and fresh[pk].full_name != keep.full_name
            ],
            ignore_conflicts=True,
        )


def _generic(merge: _Merge, pairs: Sequence[Pair], fk: Any) -> None:
    """A reference no handler names (a foreign key added later): business records are moved with
    version and history, other rows re-pointed. tests/cleaning asserts every relation has its
    own entry in ``HANDLERS``, so this is a safety net, not a decision."""
    if issubclass(fk.model, BusinessRecord):
        merge.move_records(pairs, fk)
    else:
        merge.move_plain(pairs, fk)


def _snapshot(merge: _Merge, pairs: Sequence[Pair], fk: Any) -> None:
    """Left as it is: a stored duplicate search records what it found then; merged addresses
    drop out of it when it is shown (``selectors.duplicate_scan_groups``)."""


def _drop_derived(merge: _Merge, pairs: Sequence[Pair], fk: Any) -> None:
    """Rows derived from the duplicate itself (its search keys): deleted, since a merged address
    is no longer searchable; the survivor keeps its own."""
    n, _per_model = fk.model._default_manager.filter(
        **{f"{fk.attname}__in": [d.pk for d, _k in pairs]}
    ).delete()
    merge.result.count(relation_key(fk), n)


Handler = Callable[[_Merge, Sequence[Pair], Any], None]


def _move_unique_per(owner: str) -> Handler:
    """Re-point rows that may name an address once per ``owner`` (a task's households, a
    household's availability): a row of the duplicate whose owner already names the survivor is
    dropped, the rest move."""

    def handler(merge: _Merge, pairs: Sequence[Pair], fk: Any) -> None:
        manager = fk.model._default_manager
        for dup, keep in pairs:
            if owner:
                taken = manager.filter(**{fk.attname: keep.pk}).values_list(owner, flat=True)
                manager.filter(**{fk.attname: dup.pk, f"{owner}__in": list(taken)}).delete()
            elif manager.filter(**{fk.attname: keep.pk}).exists():
                manager.filter(**{fk.attname: dup.pk}).delete()
            n = manager.filter(**{fk.attname: dup.pk}).update(**{fk.attname: keep.pk})
            merge.result.count(relation_key(fk), n)

    return handler


PARENT = "addresses.standardaddress.parent"

#: How each reference to a merged address is carried over, by ``relation_key``.
HANDLERS: dict[str, Handler] = {
    PARENT: _Merge.move_rooms,
    "addresses.standardaddress.merged_into": _Merge.move_merged,
    "addresses.addressalias.address": _Merge.move_aliases,
    "registry.house.address": _Merge.move_records,
    "registry.unit.address": _Merge.move_records,
    "registry.person.hukou_address": _Merge.move_records,
    "transfer.addresscleaningitem.resolved_address": _Merge.move_items,
    "cleaning.notduplicate.address_a": _Merge.move_not_duplicates,
    "cleaning.notduplicate.address_b": _Merge.move_not_duplicates,
    "cleaning.duplicatemember.address": _snapshot,
    # Field collection: the household's task rows, visits, slips and submissions follow it.
    "collection.taskitem.address": _move_unique_per("task_id"),
    "collection.taskitem.door": _Merge.move_plain,
    "collection.visit.address": _Merge.move_plain,
    "collection.visit.door": _Merge.move_plain,
    "collection.appointment.address": _Merge.move_plain,
    "collection.appointment.door": _Merge.move_plain,
    "collection.householdavailability.address": _move_unique_per(""),
    "collection.submission.door": _Merge.move_plain,
    "casework.lead.address": _Merge.move_plain,
    "search.addresskey.address": _drop_derived,
}


def _merge_errors(keep: StandardAddress, dups: Iterable[StandardAddress]) -> FieldErrors:
    errors = FieldErrors()
    if not _live(keep):
        errors.add("survivor", _("The address to keep is voided or merged into another."))
    for d in dups:
        if not _live(d):
            errors.add(
                "duplicates", _("%(name)s is voided or already merged.") % {"name": d.full_name or d.code}
            )
    if any(d.level != keep.level for d in dups):
        errors.add(
            "survivor", _("A door plate cannot be merged into a room address, nor a room into a door plate.")
        )
    return errors


@transaction.atomic
def address_merge(
    *,
    actor: User,
    survivor: StandardAddress,
    duplicates: Sequence[StandardAddress],
    reason: str,
    expected_versions: Mapping[int, int] | None = None,
) -> MergeResult:
    """合并重复地址: ``duplicates`` are the same place as ``survivor``; in one transaction every
    reference to them moves to the survivor and they are voided as merged.

    Preconditions checked here: a reviewing role; every address in the actor's scope (NotFound)
    and writable by the actor; same level (no door plate into a room); none voided or merged;
    versions as read (``expected_versions`` by id, by default the versions of the objects given),
    else Conflict; a reason.

    What moves (``HANDLERS``, one entry per foreign key to StandardAddress, see
    ``reference_fields``): houses, units and persons' registered-domicile address (version bumped,
    a history row each); rooms under a duplicate door plate (re-parented under the survivor, or
    merged into the survivor's room with the same unit and room number); aliases (and the
    duplicate's full name becomes a former name of the survivor); queue items resolved to a
    duplicate; addresses merged into a duplicate earlier; "not a duplicate" decisions. Records are
    moved whatever their own stamp: they name the place, and the place now has one address.
    The survivor is marked cleaned; a history row on it names what was merged.
    """
    if not jurisdiction.can_review(actor):
        raise Forbidden()
    errors = FieldErrors()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("Please give a reason."))
    ids = list(dict.fromkeys(d.pk for d in duplicates if d.pk != survivor.pk))
    if any(d.pk == survivor.pk for d in duplicates):
        errors.add("duplicates", _("An address cannot be merged into itself."))
    elif not ids:
        errors.add("duplicates", _("Choose at least one duplicate to merge."))
    errors.raise_if_any()
    versions = dict(expected_versions or {a.pk: a.version for a in (survivor, *duplicates)})
    locked = {
        a.pk: a
        for a in jurisdiction.scope(
            StandardAddress.objects.select_for_update().filter(pk__in=[survivor.pk, *ids]), actor
        )
    }
    if len(locked) != len(ids) + 1:
        raise NotFound()
    for a in locked.values():
        jurisdiction.check_can_write(actor, division_id=a.division_id, police_unit_id=a.police_unit_id)
        if versions.get(a.pk, a.version) != a.version:
            raise Conflict()
    keep = locked[survivor.pk]
    dups = [locked[pk] for pk in ids]
    _merge_errors(keep, dups).raise_if_any(code="cleaning.merge_invalid")
    result = MergeResult(survivor=keep)
    merge = _Merge(actor, reason, result)
    try:
        with transaction.atomic():
            merge.merge([(d, keep) for d in dups])
    except IntegrityError as exc:
        raise Conflict(
            _("The addresses could not be merged: a record would exist twice. Nothing was changed."),
            code="cleaning.merge_conflict",
        ) from exc
    keep.refresh_from_db()
    names = "、".join(f"{d.code} {d.full_name}" for d in dups)
    result.survivor = write(
        actor=actor,
        record=keep,
        changes={"clean_state": CleanState.CLEANED, "cleaned_at": merge.now},
        reason=gettext("Merged into this address: %(names)s. %(reason)s")
        % {"names": names, "reason": reason},
        action=HistoryAction.MERGE,
    )
    return result


def address_merge_by_ids(
    *,
    actor: User,
    survivor_id: int,
    duplicate_ids: Sequence[int],
    reason: str,
    expected_versions: Mapping[int, int] | None = None,
) -> MergeResult:
    """``address_merge`` for callers holding ids (the API, the web form): each id is fetched in
    scope (NotFound otherwise); versions default to the current ones."""
    ids = [survivor_id, *duplicate_ids]
    found = {a.pk: a for a in jurisdiction.scope(StandardAddress.objects.filter(pk__in=ids), actor)}
    if any(pk not in found for pk in ids):
        raise NotFound()
    return address_merge(
        actor=actor,
        survivor=found[survivor_id],
        duplicates=[found[pk] for pk in duplicate_ids],
        reason=reason,
        expected_versions=expected_versions,
    )
