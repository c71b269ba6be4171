"""The cleaning services: deciding queue items, merging duplicates, "not a duplicate"."""

from __future__ import annotations

import pytest

from tests.factories import AddressFactory, PersonFactory, make_id
from ybss.addresses.models import AddressAlias, AddressLevel, CleanState, StandardAddress
from ybss.addresses.rates import address_rates
from ybss.audit.models import RecordHistory
from ybss.cleaning import merge, services
from ybss.cleaning.models import NotDuplicate
from ybss.cleaning.services import NewAddressData
from ybss.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from ybss.core.models import RecordStatus
from ybss.registry.models import Person
from ybss.transfer.models import AddressCleaningItem

from .conftest import make_item

pytestmark = pytest.mark.django_db


def _history(record) -> list[RecordHistory]:
    return list(
        RecordHistory.objects.filter(record_type=record._meta.label_lower, record_id=record.pk).order_by("id")
    )


# --- accept ------------------------------------------------------------------------------------


def test_accept_links_the_item_marks_the_address_cleaned_and_keeps_the_text_as_alias(items):
    officer = items.a.users["officer"]
    item, room = items.a.item, items.a.room
    result = services.item_accept(
        actor=officer, item_id=item.pk, expected_version=item.version, address_id=room.pk, reason="核对一致"
    )
    item.refresh_from_db()
    room.refresh_from_db()
    assert (item.state, item.decision, item.resolved_address_id, item.resolved_by_id) == (
        "resolved",
        "linked",
        room.pk,
        officer.pk,
    )
    assert item.version == 2 and item.resolved_at is not None
    assert room.clean_state == CleanState.CLEANED and room.cleaned_at is not None
    assert result.alias_added and AddressAlias.objects.filter(address=room, name=item.raw_text).exists()
    assert [h.action for h in _history(item)] == ["status"]
    assert _history(room)[-1].changes["clean_state"] == ["raw", "cleaned"]


def test_accept_links_persons_imported_with_the_same_text(items):
    officer = items.a.users["officer"]
    item, room = items.a.item, items.a.room
    p = PersonFactory(
        id_number=make_id(seq=71),
        hukou_address_text=item.raw_text,
        division=items.a.village,
        police_unit=items.a.district,
    )
    result = services.item_accept(actor=officer, item_id=item.pk, expected_version=1, address_id=room.pk)
    p.refresh_from_db()
    assert result.linked_persons == 1 and p.hukou_address_id == room.pk and p.version == 2
    assert _history(p)[-1].changes == {"hukou_address": [None, room.full_name]}


def test_accept_makes_a_rerun_of_the_import_match(items):
    from ybss.transfer.importing.resolve import AddressIndex

    officer = items.a.users["officer"]
    item = make_item(items.a, "老粮站家属楼东头五零一户")  # a legacy name no matcher can place
    assert AddressIndex(officer).resolve(item.raw_text)[0] is None
    services.item_accept(actor=officer, item_id=item.pk, expected_version=1, address_id=items.a.room.pk)
    place, problem = AddressIndex(officer).resolve(item.raw_text)
    assert problem == "" and place.address_id == items.a.room.pk


def test_a_batch_run_records_its_link_as_automatic(items):
    result = services.item_accept(
        actor=items.a.users["officer"],
        item_id=items.a.item.pk,
        expected_version=1,
        address_id=items.a.room.pk,
        decision="auto",
    )
    assert (result.item.state, result.item.decision) == ("resolved", "auto")


def test_accept_twice_or_with_a_stale_version_is_refused(items):
    officer = items.a.users["officer"]
    item = items.a.item
    with pytest.raises(Conflict):
        services.item_accept(actor=officer, item_id=item.pk, expected_version=7, address_id=items.a.door.pk)
    services.item_accept(actor=officer, item_id=item.pk, expected_version=1, address_id=items.a.door.pk)
    with pytest.raises(InvalidInput) as err:
        services.item_accept(actor=officer, item_id=item.pk, expected_version=2, address_id=items.a.room.pk)
    assert err.value.code == "cleaning.decided"


@pytest.mark.parametrize("bad", ["", "abc", None, 10**30, -1])
def test_accept_a_missing_address_is_a_field_error_and_saves_nothing(items, bad):
    item = items.a.item
    with pytest.raises(InvalidInput) as err:
        services.item_accept(
            actor=items.a.users["officer"], item_id=item.pk, expected_version=1, address_id=bad
        )
    assert "address_id" in err.value.fields
    item.refresh_from_db()
    assert item.state == "pending" and item.version == 1


def test_accept_cannot_link_another_stations_address_or_item(items):
    officer = items.a.users["officer"]
    with pytest.raises(InvalidInput) as err:
        services.item_accept(
            actor=officer, item_id=items.a.item.pk, expected_version=1, address_id=items.b.door.pk
        )
    assert err.value.code == "cleaning.no_address"
    with pytest.raises(NotFound):
        services.item_accept(
            actor=officer, item_id=items.b.item.pk, expected_version=1, address_id=items.a.door.pk
        )


def test_deciding_needs_a_role_that_edits(items):
    with pytest.raises((Forbidden, NotFound)):
        services.item_accept(
            actor=items.users["supervisor"],
            item_id=items.a.item.pk,
            expected_version=1,
            address_id=items.a.door.pk,
        )


# --- create ------------------------------------------------------------------------------------


def _door_data(station, **kw) -> NewAddressData:
    data = {
        "division_code": station.village.code,
        "police_unit_code": station.district.code,
        "road_id": station.road.pk,
        "door_number": "8",
    }
    data.update(kw)
    return NewAddressData(**data)


def test_create_a_door_plate_for_the_item(items):
    officer = items.a.users["officer"]
    item = make_item(items.a, "城关街道a测试路8号")
    result = services.item_create(
        actor=officer, item_id=item.pk, expected_version=1, data=_door_data(items.a)
    )
    door = result.address
    assert door.level == AddressLevel.DOOR and door.door_number == "8" and door.status == RecordStatus.DRAFT
    assert door.clean_state == CleanState.CLEANED
    item.refresh_from_db()
    assert (item.state, item.decision, item.resolved_address_id) == ("resolved", "created", door.pk)


def test_create_a_room_and_its_door_plate_in_one_step(items):
    officer = items.a.users["officer"]
    item = make_item(items.a, "a测试路9号2单元301室")
    result = services.item_create(
        actor=officer,
        item_id=item.pk,
        expected_version=1,
        data=_door_data(items.a, door_number="9", unit_no="2", floor=3, room_no="301"),
    )
    room = result.address
    assert room.level == AddressLevel.ROOM and room.parent.door_number == "9"
    assert [a.level for a in result.created] == ["door", "room"]
    assert room.parent.clean_state == CleanState.CLEANED


def test_create_a_room_under_an_existing_door_plate(items):
    officer = items.a.users["officer"]
    item = make_item(items.a, "a测试路1号1单元601室")
    result = services.item_create(
        actor=officer,
        item_id=item.pk,
        expected_version=1,
        data=NewAddressData(door_id=items.a.door.pk, unit_no="1", floor=6, room_no="601"),
    )
    assert result.address.parent_id == items.a.door.pk and result.created == [result.address]


def test_create_reuses_the_door_plate_the_fields_name(items):
    officer = items.a.users["officer"]
    first = make_item(items.a, "a测试路9号")
    door = services.item_create(
        actor=officer, item_id=first.pk, expected_version=1, data=_door_data(items.a, door_number="9")
    ).address
    second = make_item(items.a, "a测试路9号1单元101")
    room = services.item_create(
        actor=officer,
        item_id=second.pk,
        expected_version=1,
        data=_door_data(items.a, door_number="9", unit_no="1", floor=1, room_no="101"),
    ).address
    assert room.parent_id == door.pk


def test_create_with_bad_fields_gives_field_errors_and_saves_nothing(items):
    officer = items.a.users["officer"]
    item = make_item(items.a, "不知道哪里")
    before = StandardAddress.objects.count()
    with pytest.raises(InvalidInput) as err:
        services.item_create(
            actor=officer,
            item_id=item.pk,
            expected_version=1,
            data=_door_data(items.a, door_number="八", road_id=None, unit_no="x y", room_no=""),
        )
    assert {"door_number", "road_id"} <= set(err.value.fields)
    with pytest.raises(InvalidInput) as err:
        services.item_create(
            actor=officer,
            item_id=item.pk,
            expected_version=1,
            data=NewAddressData(door_id=items.a.door.pk, unit_no="1", room_no="!!"),
        )
    assert "room_no" in err.value.fields
    assert StandardAddress.objects.count() == before
    item.refresh_from_db()
    assert item.state == "pending"


def test_create_in_another_stations_place_is_refused(items):
    item = make_item(items.a, "甘井镇b测试路8号")
    with pytest.raises(InvalidInput) as err:
        services.item_create(
            actor=items.a.users["officer"], item_id=item.pk, expected_version=1, data=_door_data(items.b)
        )
    assert "police_unit_code" in err.value.fields
    with pytest.raises(InvalidInput) as err:
        services.item_create(
            actor=items.a.users["officer"],
            item_id=item.pk,
            expected_version=1,
            data=NewAddressData(door_id=items.b.door.pk, unit_no="1", room_no="101"),
        )
    assert "door_id" in err.value.fields


# --- set aside ---------------------------------------------------------------------------------


def test_not_an_address_needs_a_reason_and_is_recorded(items):
    officer = items.a.users["officer"]
    item = items.a.item
    with pytest.raises(InvalidInput) as err:
        services.item_set_aside(
            actor=officer, item_id=item.pk, expected_version=1, decision="maybe", reason=" "
        )
    assert set(err.value.fields) == {"decision", "reason"}
    services.item_set_aside(
        actor=officer, item_id=item.pk, expected_version=1, decision="not_address", reason="是人名"
    )
    item.refresh_from_db()
    assert (item.state, item.decision, item.decision_reason, item.resolved_address_id) == (
        "rejected",
        "not_address",
        "是人名",
        None,
    )
    assert _history(item)[0].reason == "是人名"


# --- rates -------------------------------------------------------------------------------------


def test_cleaning_rate_rises_as_items_are_cleaned(items):
    officer = items.a.users["officer"]
    before = address_rates(actor=officer)["address_cleaned"]
    assert (before.numerator, before.denominator) == (0, 2)
    services.item_accept(
        actor=officer, item_id=items.a.item.pk, expected_version=1, address_id=items.a.room.pk
    )
    after = address_rates(actor=officer)["address_cleaned"]
    assert (after.numerator, after.denominator) == (1, 2)


# --- merge -------------------------------------------------------------------------------------


def _counts(dup) -> dict[str, int]:
    from ybss.registry.models import House, Unit

    keep, d = dup.keep, dup.dup
    return {
        "houses_keep": House.objects.filter(address__in=[keep, *keep.rooms.all()]).count(),
        "houses_dup": House.objects.filter(address=d).count(),
        "units_keep": Unit.objects.filter(address=keep).count(),
        "units_dup": Unit.objects.filter(address=d).count(),
        "persons_dup": Person.objects.filter(hukou_address=d).count(),
        "rooms_keep": StandardAddress.objects.filter(parent=keep).count(),
        "rooms_dup": StandardAddress.objects.filter(parent=d).count(),
        "aliases_dup": AddressAlias.objects.filter(address=d).count(),
        "items_dup": AddressCleaningItem.objects.filter(resolved_address=d).count(),
    }


def test_merge_moves_every_reference_and_keeps_history(county, dup):
    chief = county.a.users["chief"]
    before = _counts(dup)
    assert before == {
        "houses_keep": 1,
        "houses_dup": 1,
        "units_keep": 1,
        "units_dup": 1,
        "persons_dup": 1,
        "rooms_keep": 1,
        "rooms_dup": 2,
        "aliases_dup": 1,
        "items_dup": 1,
    }
    other = AddressFactory(
        road=county.a.road, door_number="2", division=county.a.village, police_unit=county.a.district
    )
    NotDuplicate.objects.create(address_a=dup.dup, address_b=other, decided_at=county.a.door.created_at)
    NotDuplicate.objects.create(address_a=dup.keep, address_b=dup.dup, decided_at=county.a.door.created_at)
    history_before = RecordHistory.objects.count()

    result = services.address_merge(
        actor=chief, survivor=dup.keep, duplicates=[dup.dup], reason="同一门牌两种写法"
    )

    keep, d = dup.keep, dup.dup
    keep.refresh_from_db()
    d.refresh_from_db()
    after = _counts(dup)
    # every house: the door's own, the twin room's (now on keep's 1-501) and the moved 1-502's
    assert after["houses_keep"] == 4 and after["houses_dup"] == 0
    assert (after["units_keep"], after["units_dup"], after["persons_dup"]) == (2, 0, 0)
    assert (after["rooms_keep"], after["rooms_dup"]) == (2, 1)  # 1-502 moved; the twin stays, merged
    dup.person.refresh_from_db()
    assert dup.person.hukou_address_id == keep.pk and dup.person.version == 2
    # the duplicate: voided, merged into the survivor, with the reason
    assert (d.status, d.clean_state, d.merged_into_id, d.status_reason) == (
        RecordStatus.VOIDED,
        CleanState.MERGED,
        keep.pk,
        "同一门牌两种写法",
    )
    assert keep.clean_state == CleanState.CLEANED and keep.status == RecordStatus.ACCEPTED
    # the twin room merged into keep's room; the lone room moved under keep with a new code
    dup.twin_room.refresh_from_db()
    dup.lone_room.refresh_from_db()
    assert dup.twin_room.merged_into_id == county.a.room.pk and dup.twin_room.status == RecordStatus.VOIDED
    assert dup.lone_room.parent_id == keep.pk and dup.lone_room.code.startswith(keep.code)
    assert dup.lone_room.full_name == keep.full_name + "1单元502室"
    assert AddressAlias.objects.filter(
        address=dup.lone_room, name="合阳县城关街道a测试路壹号1单元502室"
    ).exists()
    # names: the duplicate's full name and its aliases now belong to the survivor
    names = set(AddressAlias.objects.filter(address=keep).values_list("name", flat=True))
    assert {"合阳县城关街道a测试路壹号", "a测试路一号"} <= names
    # the queue item and the earlier merge now name the survivor
    dup.item.refresh_from_db()
    dup.old.refresh_from_db()
    assert dup.item.resolved_address_id == keep.pk and dup.old.merged_into_id == keep.pk
    # not-duplicate decisions: the one about dup carries over; the one between the two is dropped
    assert set(NotDuplicate.objects.values_list("address_a_id", "address_b_id")) == {
        NotDuplicate.ordered_pair(keep.pk, other.pk)
    }
    # history on every moved record and on both addresses
    for record in (*dup.houses[:1], dup.unit, dup.person, dup.item, dup.old, dup.lone_room, d, keep):
        record.refresh_from_db()
        assert _history(record)[-1].action == "merge", record
    moved_house = _history(dup.houses[0])[-1]
    assert moved_house.changes == {"address": [d.full_name, keep.full_name]}
    assert moved_house.reason == "同一门牌两种写法"
    assert RecordHistory.objects.count() > history_before + 8
    # dup's own house and the twin room's; the lone room's house stays on its (moved) room
    assert result.moved["registry.house.address"] == 2
    assert [m.pk for m in result.merged] == [dup.twin_room.pk, d.pk]


def test_merge_handles_every_reference_to_standard_addresses():
    """A new foreign key to StandardAddress must get its own handler in ``merge.HANDLERS``."""
    keys = {merge.relation_key(f) for f in merge.reference_fields()}
    visible = {merge.relation_key(r.field) for r in StandardAddress._meta.related_objects}
    assert visible <= keys  # related_objects, plus the hidden (related_name="+") relations
    assert {"registry.person.hukou_address", "transfer.addresscleaningitem.resolved_address"} <= keys
    unhandled = keys - set(merge.HANDLERS)
    assert unhandled == set(), f"address_merge does not say how to move {sorted(unhandled)}"


def test_merge_refuses_a_door_plate_into_a_room(county, dup):
    with pytest.raises(InvalidInput) as err:
        services.address_merge(
            actor=county.a.users["chief"], survivor=county.a.room, duplicates=[dup.dup], reason="x"
        )
    assert "survivor" in err.value.fields
    dup.dup.refresh_from_db()
    assert dup.dup.status == RecordStatus.ACCEPTED


@pytest.mark.parametrize("case", ["no_reason", "itself", "none", "voided"])
def test_merge_refuses_bad_requests_with_field_errors(county, dup, case):
    chief = county.a.users["chief"]
    kwargs = {"survivor": dup.keep, "duplicates": [dup.dup], "reason": "同一处"}
    if case == "no_reason":
        kwargs["reason"] = "  "
    elif case == "itself":
        kwargs["duplicates"] = [dup.keep]
    elif case == "none":
        kwargs["duplicates"] = []
    else:
        kwargs["duplicates"] = [dup.old]
    with pytest.raises(InvalidInput) as err:
        services.address_merge(actor=chief, **kwargs)
    assert {"no_reason": "reason", "itself": "duplicates", "none": "duplicates", "voided": "duplicates"}[
        case
    ] in err.value.fields


def test_merge_with_a_stale_version_changes_nothing(county, dup):
    stale = StandardAddress.objects.get(pk=dup.dup.pk)
    StandardAddress.objects.filter(pk=dup.dup.pk).update(version=5)
    with pytest.raises(Conflict):
        services.address_merge(
            actor=county.a.users["chief"], survivor=dup.keep, duplicates=[stale], reason="x"
        )
    assert Person.objects.get(pk=dup.person.pk).hukou_address_id == dup.dup.pk


def test_merge_across_stations_is_not_found_and_changes_nothing(county, dup):
    with pytest.raises(NotFound):
        services.address_merge(
            actor=county.a.users["chief"], survivor=dup.keep, duplicates=[county.b.door], reason="x"
        )
    with pytest.raises(NotFound):
        services.address_merge(
            actor=county.b.users["chief"], survivor=county.b.door, duplicates=[dup.dup], reason="x"
        )
    county.b.door.refresh_from_db()
    assert county.b.door.status == RecordStatus.ACCEPTED and county.b.door.version == 1


def test_merge_needs_a_reviewing_role(county, dup):
    with pytest.raises(Forbidden):
        services.address_merge(
            actor=county.a.users["collector"], survivor=dup.keep, duplicates=[dup.dup], reason="x"
        )


def test_merge_rolls_back_entirely_when_a_step_fails(county, dup, monkeypatch):
    def boom(self, pairs, fk):
        raise Conflict()

    monkeypatch.setitem(merge.HANDLERS, "registry.unit.address", boom)
    with pytest.raises(Conflict):
        services.address_merge(
            actor=county.a.users["chief"], survivor=dup.keep, duplicates=[dup.dup], reason="x"
        )
    assert _counts(dup)["houses_dup"] == 1 and _counts(dup)["rooms_dup"] == 2
    dup.dup.refresh_from_db()
    assert dup.dup.status == RecordStatus.ACCEPTED


def test_merging_raises_the_cleaning_rate_and_drops_the_duplicate_from_it(county, dup):
    chief = county.a.users["chief"]
    before = address_rates(actor=chief)["address_cleaned"]
    services.address_merge(actor=chief, survivor=dup.keep, duplicates=[dup.dup], reason="同一处")
    after = address_rates(actor=chief)["address_cleaned"]
    # dup and its twin room leave the denominator; the survivor is cleaned
    assert after.denominator == before.denominator - 2
    assert after.numerator == before.numerator + 1


# --- duplicates and not-duplicates ----------------------------------------------------------------


def _same_name_pair(county):
    stamp = {"division": county.a.village, "police_unit": county.a.district}
    x = AddressFactory(road=county.a.road, door_number="30", full_name="合阳县城关街道a测试路30号", **stamp)
    y = AddressFactory(road=county.a.road, door_number="30", full_name="合阳县城关街道a测试路30号", **stamp)
    return x, y


def test_duplicates_scan_finds_a_pair_and_not_duplicate_is_remembered(county):
    officer = county.a.users["officer"]
    x, y = _same_name_pair(county)
    groups = services.duplicates_scan(actor=officer)
    assert any({x.pk, y.pk} <= set(g) for g in groups)
    made = services.not_duplicate_mark(actor=officer, addresses=[y, x], reason="一户两院，实地核实")
    assert [(p.address_a_id, p.address_b_id) for p in made] == [(x.pk, y.pk)]
    assert not any({x.pk, y.pk} <= set(g) for g in services.duplicates_scan(actor=officer))
    # again: nothing new, no error
    assert services.not_duplicate_mark(actor=officer, addresses=[x, y]) == []
    assert "一户两院" in _history(x)[-1].reason


def test_duplicates_scan_shows_only_the_actors_jurisdiction(county):
    x, _y = _same_name_pair(county)
    assert not any(x.pk in g for g in services.duplicates_scan(actor=county.b.users["officer"]))


def test_not_duplicate_needs_two_addresses_in_scope(county):
    officer = county.a.users["officer"]
    with pytest.raises(InvalidInput):
        services.not_duplicate_mark(actor=officer, addresses=[county.a.door])
    with pytest.raises(NotFound):
        services.not_duplicate_mark(actor=officer, addresses=[county.a.door, county.b.door])
    assert not NotDuplicate.objects.exists()


def test_merge_by_ids_checks_scope(county, dup):
    with pytest.raises(NotFound):
        services.address_merge_by_ids(
            actor=county.b.users["chief"],
            survivor_id=county.b.door.pk,
            duplicate_ids=[dup.dup.pk],
            reason="x",
        )
    result = services.address_merge_by_ids(
        actor=county.a.users["chief"], survivor_id=dup.keep.pk, duplicate_ids=[dup.dup.pk], reason="同一处"
    )
    assert result.survivor.pk == dup.keep.pk


def test_room_level_merge_moves_the_house(county, dup):
    chief = county.a.users["chief"]
    services.address_merge(actor=chief, survivor=county.a.room, duplicates=[dup.twin_room], reason="同一户")
    assert county.a.room.houses.count() == 2
    assert StandardAddress.objects.get(pk=dup.twin_room.pk).level == AddressLevel.ROOM


def test_merge_moves_leads_to_the_survivor_and_drops_the_duplicates_search_keys(county, dup):
    from django.utils import timezone

    from ybss.casework.models import Lead, LeadSource
    from ybss.search.models import AddressKey
    from ybss.search.services import address_index_rebuild

    address_index_rebuild()
    lead = Lead.objects.create(
        source=LeadSource.TIP,
        address=dup.dup,
        summary="群众反映",
        created_at=timezone.now(),
        police_unit=county.a.district,
        division=county.a.village,
    )
    assert AddressKey.objects.filter(address=dup.dup).exists()
    services.address_merge(
        actor=county.a.users["chief"], survivor=dup.keep, duplicates=[dup.dup], reason="同一门牌两种写法"
    )
    lead.refresh_from_db()
    assert lead.address_id == dup.keep.pk
    assert not AddressKey.objects.filter(address=dup.dup).exists()
    assert AddressKey.objects.filter(address=dup.keep).exists()


def test_a_room_moved_by_a_merge_is_found_by_its_new_name(county, dup, django_capture_on_commit_callbacks):
    from ybss.search.selectors import search
    from ybss.search.services import address_index_rebuild

    address_index_rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        services.address_merge(
            actor=county.a.users["chief"], survivor=dup.keep, duplicates=[dup.dup], reason="同一门牌两种写法"
        )
    dup.lone_room.refresh_from_db()
    assert dup.lone_room.parent_id == dup.keep.pk
    officer = county.a.users["officer"]
    res = search(actor=officer, text=dup.lone_room.full_name, purpose="check", kinds=["address"])
    assert dup.lone_room.pk in [h.pk for h in res.groups[0].hits]
