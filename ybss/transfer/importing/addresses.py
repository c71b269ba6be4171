"""Importing standard addresses (标准地址): door plates (门楼牌) and room addresses (层户).

A row is a door plate, or a room when it gives 户室 (with 单元/楼层). It names its community or
village (12-digit code) and police district, which must be writable by the importing user, its
street or villager group (街路巷/组) and compound by name, and the door number. Codes and full
names are made exactly as ``addresses.services`` makes them (``door_code``/``room_code``,
``naming.full_name``), so an address imported and one entered on the map are the same record.

* Names of streets, groups and compounds are looked up in the gazetteer (``AddressElement``) of
  the village, then of its township; a name found nowhere is added to the village's gazetteer
  (a warning says so) with the next ordinal, which the generated codes use.
* A room's door plate is found by its generated code, or created from the row's door fields.
* Matching on re-import: the 地址编码 cell, then 来源编号, then the generated code. A matched address
  keeps its code and parts (a row whose parts differ is an error); its common name, coordinates
  (converted to WGS-84; rooms share their door plate's point), police district and 来源编号 are
  updated. New addresses start as drafts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ybss.addresses.coords import in_china, to_wgs84
from ybss.addresses.models import AddressElement, CoordSystem, ElementKind, MarkState, StandardAddress
from ybss.addresses.naming import full_name
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, DivisionLevel, PoliceUnit

from .apply import apply, diff
from .base import KindImporter, Row
from .resolve import select_in

_DOOR_NO = re.compile(r"^[0-9]{1,5}$")
_SHORT = re.compile(r"^[0-9A-Za-z\-]{1,10}$")
ROAD_KINDS = (ElementKind.STREET, ElementKind.GROUP, ElementKind.NATURAL_VILLAGE)
COMPOUND_KINDS = (ElementKind.COMPOUND, ElementKind.UNIT_YARD)
READ = (
    "id", "code", "level", "version", "status", "division_id", "police_unit_id", "parent_id", "road_id",
    "door_number", "sub_number", "building", "unit_no", "room_no", "common_name", "lng", "lat",
    "coord_source", "mark_state", "source_ref",
)  # fmt: skip
IDENTITY = ("division_id", "road_id", "door_number", "sub_number", "building", "unit_no", "room_no")


@dataclass(frozen=True)
class Element:
    id: int | None  # None until created
    key: tuple[str, str, str]  # (division, kind, name)
    ordinal: int


def door_code_for(division_code: str, road: Element, door_number: str, sub_number: str, building: str) -> str:
    """``addresses.services.door_code`` without its database query (the ordinal is known here)."""
    door = f"{int(door_number):03d}" + (f"F{sub_number}" if sub_number else "")
    code = f"{division_code}-{road.key[1]}{road.ordinal:02d}-{door}"
    if building:
        code += f"-{int(building):02d}" if building.isdigit() else f"-{building}"
    return code[:48]


def room_code_for(door_code: str, unit_no: str, room_no: str) -> str:
    """``addresses.services.room_code``."""
    return f"{door_code}-{unit_no or '0'}-{room_no:0>4}"[:48]


class Gazetteer:
    """The county's address elements, by village and by township, with their ordinals; new names
    are added (in memory first) with the next ordinal of their village and kind."""

    def __init__(self) -> None:
        self.by_village: dict[tuple[str, str], list[Element]] = {}
        self.by_town: dict[tuple[str, str], list[Element]] = {}
        self.counts: dict[tuple[str, str], int] = {}
        self.new: dict[tuple[str, str, str], Element] = {}
        rows = AddressElement.objects.order_by("division_id", "kind", "id").values_list(
            "id", "kind", "name", "division_id"
        )
        for pk, kind, name, division in rows.iterator(chunk_size=20_000):
            n = self.counts[(division, kind)] = self.counts.get((division, kind), 0) + 1
            self._index(Element(pk, (division, kind, name), n))

    def _index(self, e: Element) -> None:
        division, _kind, name = e.key
        self.by_village.setdefault((division, name), []).append(e)
        self.by_town.setdefault((division[:9], name), []).append(e)

    def find(self, village: str, name: str, kinds: tuple[str, ...], new_kind: str) -> Element:
        """The element called ``name`` for ``village``: the village's own, else the only one of its
        township, else a new one (``id`` None until the import writes it)."""
        own = [e for e in self.by_village.get((village, name), []) if e.key[1] in kinds]
        if own:
            return own[0]
        town = [e for e in self.by_town.get((village[:9], name), []) if e.key[1] in kinds]
        if len(town) == 1:
            return town[0]
        key = (village, new_kind, name)
        e = self.new.get(key)
        if e is None:
            n = self.counts[(village, new_kind)] = self.counts.get((village, new_kind), 0) + 1
            e = self.new[key] = Element(None, key, n)
            self._index(e)
        return e


class AddressesImport(KindImporter):
    kind = "addresses"
    codelists = ("coord_system",)
    slots = {"a": "addresses.standardaddress"}

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.gazetteer = Gazetteer()
        self.divisions = {
            d.code: d
            for d in AdminDivision.objects.filter(level=DivisionLevel.VILLAGE).select_related(
                "parent__parent__parent__parent"
            )
        }
        self.units = set(PoliceUnit.objects.values_list("code", flat=True))
        self.paths: dict[str, list[str]] = {}
        self.element_ids: dict[tuple[str, str, str], int] = {}
        self.door_ids: dict[str, int] = {}
        self.implicit: dict[str, dict[str, Any]] = {}  # door code → values of a door made for a room
        self.warned: set[tuple[str, str, str]] = set()
        self.now = timezone.now()

    def path(self, village: AdminDivision) -> list[str]:
        if village.code not in self.paths:
            names: list[str] = []
            node: AdminDivision | None = village
            while node is not None:
                names.append(node.name)
                node = node.parent
            self.paths[village.code] = names[::-1]
        return self.paths[village.code]

    # --- validation --------------------------------------------------------------------------

    def check(self, rows: list[Row]) -> None:
        parsed = [(row, self._parse(row)) for row in rows]
        ok = [(row, v) for row, v in parsed if v is not None]
        codes = sorted({c for _r, v in ok for c in (v["code"], v["own_code"], v["door_code"]) if c})
        by_code = {a["code"]: a for a in select_in(StandardAddress, READ, "code", codes)}
        refs = sorted({v["source_ref"] for _r, v in ok if v["source_ref"]})
        by_ref: dict[str, list[dict[str, Any]]] = {}
        if refs:
            scoped = jurisdiction.scope(
                StandardAddress.objects.exclude(status=RecordStatus.VOIDED), self.ctx.actor
            )
            for a in scoped.filter(source_ref__in=refs).values(*READ):
                by_ref.setdefault(a["source_ref"], []).append(a)
        for row, v in ok:
            self._plan(row, v, by_code, by_ref)

    def _short(self, row: Row, key: str, strip: str = "") -> str:
        value = row.text(key).replace(" ", "")
        if strip and value.endswith(strip) and value[: -len(strip)]:
            value = value[: -len(strip)]
        if value and not _SHORT.match(value):
            self.issue(row, key, "address.part_format", _("Use up to 10 digits or letters."))
        return value

    def _parse(self, row: Row) -> dict[str, Any] | None:
        ctx = self.ctx
        village = self.divisions.get(row.text("division_code"))
        if village is None:
            self.issue(row, "division_code", "address.division", _("Choose a community or village."))
        unit_code = row.text("police_unit_code")
        if unit_code not in self.units:
            self.issue(row, "police_unit_code", "address.police_unit", _("Choose a police district."))
        elif village is not None and not ctx.addresses.can_write(village.code, unit_code):
            self.issue(
                row, "police_unit_code", "address.out_of_scope", _("This place is outside your jurisdiction.")
            )
        road_name = self.text_of(row, "road", 60)
        if not road_name:
            self.issue(row, "road", "required", _("This field is required."))
        door_number = row.text("door_number").removesuffix("号")
        if not _DOOR_NO.match(door_number):
            self.issue(
                row, "door_number", "address.door_number", _("Enter the door number as digits, e.g. 18.")
            )
        sub_number = self._short(row, "sub_number", "号")
        building = row.text("building").replace(" ", "")
        if building.endswith("号楼") and building[:-2].isdigit():
            building = building[:-2]
        if building and len(building) > 10:
            self.max_length(row, "building", building, 10)
        unit_no = self._short(row, "unit_no", "单元")
        room_no = self._short(row, "room_no", "室")
        floor = self.number(row, "floor", -10, 200)
        is_room = bool(room_no or unit_no or floor is not None)
        if is_room and not room_no:
            self.issue(row, "room_no", "address.room_no", _("Enter the room number, e.g. 501."))
        common_name = self.text_of(row, "common_name", 60)
        code = self.text_of(row, "code", 48).upper()
        source_ref = self.text_of(row, "source_ref", 64)
        coords = self._coords(row, is_room)
        compound_name = self.text_of(row, "compound", 60)
        if not row.ok or village is None:
            return None
        road = self.gazetteer.find(
            village.code,
            road_name,
            ROAD_KINDS,
            ElementKind.GROUP if road_name.endswith("组") else ElementKind.STREET,
        )
        compound = None
        if compound_name:
            compound = self.gazetteer.find(village.code, compound_name, COMPOUND_KINDS, ElementKind.COMPOUND)
        added = [e for e in (road, compound) if e is not None and e.id is None]
        for e in added:
            if e.key not in self.warned:
                self.warned.add(e.key)
                self.issue(
                    row,
                    "road" if e is road else "compound",
                    "address.element_added",
                    _("“%(name)s” is not in the gazetteer yet; it will be added.") % {"name": e.key[2]},
                    "warning",
                )
        door_code = door_code_for(village.code, road, door_number, sub_number, building)
        own_code = room_code_for(door_code, unit_no, room_no) if is_room else door_code
        street = road.key[1] != ElementKind.GROUP
        door_values = {
            "code": door_code,
            "level": "door",
            "road_id": road.id or road.key,
            "compound_id": (compound.id or compound.key) if compound else None,
            "door_number": door_number,
            "sub_number": sub_number,
            "building": building,
            "full_name": full_name(
                division_path=self.path(village),
                street=road.key[2] if street else "",
                group="" if street else road.key[2],
                door_number=door_number,
                sub_number=sub_number,
                compound=compound.key[2] if compound else "",
                building=building,
            ),
        }
        if is_room:
            unique = own_code
        else:
            door_values.update(common_name=common_name, **(coords or {}))
            unique = door_code
        row.unique.append((("address", unique), "code" if code else "door_number"))
        if code and code != unique:
            row.unique.append((("address-code", code), "code"))
        if source_ref:
            row.unique.append((("address-ref", source_ref), "source_ref"))
        return {
            "village": village.code,
            "police_unit": unit_code,
            "code": code,
            "own_code": own_code,
            "door_code": door_code,
            "door": door_values,
            "room": {"unit_no": unit_no, "floor": floor, "room_no": room_no, "common_name": common_name}
            if is_room
            else None,
            "coords": coords,
            "source_ref": source_ref,
            "elements": added,
        }

    def _coords(self, row: Row, is_room: bool) -> dict[str, Any] | None:
        lng = self.number(row, "lng", -180, 180, places=7)
        lat = self.number(row, "lat", -90, 90, places=7)
        if lng is None and lat is None:
            return None
        if lng is None or lat is None:
            self.issue(
                row, "lng" if lng is None else "lat", "address.coords", _("Give both longitude and latitude.")
            )
            return None
        if is_room:
            self.issue(
                row,
                "lng",
                "address.room_coords",
                _("Only door plates are marked on the map; rooms share their door plate's point."),
                "warning",
            )
            return None
        system = self.code(row, "coord_system", "coord_system") or CoordSystem.WGS84
        if not in_china(float(lng), float(lat)):
            self.issue(
                row,
                "lng",
                "address.outside_china",
                _("The point is outside China: check longitude and latitude."),
            )
            return None
        wlng, wlat = to_wgs84(float(lng), float(lat), system)
        return {"lng": wlng, "lat": wlat, "coord_source": system}

    def _match(
        self,
        row: Row,
        v: dict[str, Any],
        by_code: dict[str, dict[str, Any]],
        by_ref: dict[str, list[dict[str, Any]]],
    ) -> tuple[bool, dict[str, Any] | None]:
        """``(True, the address this row updates)``, ``(True, None)`` for a new one, ``(False, None)``
        when the row cannot apply."""
        found = by_code.get(v["code"]) if v["code"] else None
        if found is None and v["source_ref"]:
            refs = by_ref.get(v["source_ref"], [])
            if len(refs) > 1:
                self.issue(
                    row,
                    "source_ref",
                    "address.ambiguous_ref",
                    _("Several addresses have this source record number."),
                )
                return False, None
            found = refs[0] if refs else None
        if found is None:
            found = by_code.get(v["own_code"])
        if found is None:
            return True, None
        if found["status"] == RecordStatus.VOIDED:
            self.issue(row, "code", "record.voided", _("A voided record cannot be changed."))
            return False, None
        if not self.ctx.addresses.can_write(found["division_id"], found["police_unit_id"]):
            self.issue(
                row,
                "code",
                "address.taken",
                _("This address code is used by another jurisdiction's address."),
            )
            return False, None
        return True, found

    def _plan(
        self,
        row: Row,
        v: dict[str, Any],
        by_code: dict[str, dict[str, Any]],
        by_ref: dict[str, list[dict[str, Any]]],
    ) -> None:
        applies, existing = self._match(row, v, by_code, by_ref)
        if not applies:
            return
        stamp = (v["village"], v["police_unit"])
        door = v["door"]
        room = v["room"]
        plan: dict[str, Any] = {"reason": self.ctx.reason(row.number), "elements": v["elements"]}
        if room is not None:
            found_door = by_code.get(v["door_code"])
            if found_door is not None:
                plan["door"] = ("id", found_door["id"])
            else:
                plan["door"] = ("new", v["door_code"], {**door, "source_ref": ""}, stamp)
            wanted = {"level": "room", **room, "road_id": door["road_id"], "compound_id": door["compound_id"]}
            wanted["full_name"] = door["full_name"] + full_name(
                division_path=[], unit_no=room["unit_no"], floor=room["floor"], room_no=room["room_no"]
            )
            wanted["code"] = v["code"] or v["own_code"]
        else:
            wanted = {**door, "code": v["code"] or v["own_code"], "common_name": door.get("common_name", "")}
        if v["source_ref"]:
            wanted["source_ref"] = v["source_ref"]
        if existing is None:
            if v["coords"]:
                wanted.update(mark_state=MarkState.MARKED, marked_source="import", marked_at=self.now)
            plan["a"] = ("new", wanted, stamp)
        else:
            if not self._same_identity(row, existing, wanted, v):
                return
            updatable = {"police_unit_id": v["police_unit"]}
            for k in ("common_name", "source_ref"):
                if wanted.get(k):
                    updatable[k] = wanted[k]
            if v["coords"] and (existing["lng"], existing["lat"]) != (v["coords"]["lng"], v["coords"]["lat"]):
                updatable.update(
                    v["coords"], mark_state=MarkState.MARKED, marked_source="import", marked_at=self.now
                )
            changes = diff(existing, updatable)
            plan["a"] = (
                ("upd", existing["id"], existing["version"], changes) if changes else ("same", existing["id"])
            )
        row.plan = plan

    def _same_identity(
        self, row: Row, existing: dict[str, Any], wanted: dict[str, Any], v: dict[str, Any]
    ) -> bool:
        mine = {"division_id": v["village"], **wanted}
        if (
            isinstance(mine["road_id"], tuple)
            or existing["level"] != mine["level"]
            or any((existing[k] or "") != (mine.get(k) or "") for k in IDENTITY if k != "road_id")
            or existing["road_id"] != mine["road_id"]
        ):
            self.issue(
                row,
                "code",
                "address.parts_differ",
                _("The existing address with this code or source number has different parts; check the row."),
            )
            return False
        return True

    def tally(self, plan: Any, report: Any) -> None:
        super().tally(plan, report)
        door = plan.get("door")
        if door and door[0] == "new" and door[1] not in self.implicit:
            self.implicit[door[1]] = {}
            report.count("addresses.standardaddress", "created")

    # --- writing -----------------------------------------------------------------------------

    def _element(self, ref: Any) -> Any:
        return self.element_ids[ref] if isinstance(ref, tuple) else ref

    def write(self, rows: list[Row], w: Any) -> None:
        elements = w.table(AddressElement)
        new = {}
        for r in rows:
            for e in r.plan["elements"]:
                if e.key not in self.element_ids:
                    new[e.key] = e
        ordered = sorted(new.values(), key=lambda e: (e.key[0], e.key[1], e.ordinal))
        inserts = []
        for e, pk in zip(ordered, elements.reserve_ids(len(ordered)), strict=True):
            self.element_ids[e.key] = pk
            division, kind, name = e.key
            inserts.append(
                elements.row({"id": pk, "kind": kind, "name": name, "division_id": division, "aliases": []})
            )
        elements.insert(inserts)
        for r in rows:
            for slot in ("a", "door"):
                op = r.plan.get(slot)
                if op and op[0] == "new":
                    values = op[2] if slot == "door" else op[1]
                    values["road_id"] = self._element(values["road_id"])
                    values["compound_id"] = self._element(values.get("compound_id"))
        doors = [r for r in rows if "door" not in r.plan]
        for r in doors:
            op = r.plan["a"]
            if op[0] == "new" and op[1]["code"] in self.door_ids:
                # made earlier in this import for a room row above it: now its own row updates it
                pk, before = self.door_ids[op[1]["code"]], self.implicit[op[1]["code"]]
                changes = {
                    k: (before.get(k), val)
                    for k, val in op[1].items()
                    if before.get(k) != val and val not in ("", None)
                }
                r.plan["a"] = ("upd", pk, 1, changes) if changes else ("same", pk)
        door_ids = apply(doors, "a", StandardAddress, w)
        for r in doors:
            if r.plan["a"][0] == "new":
                self.door_ids[r.plan["a"][1]["code"]] = door_ids[r.number]
        implicit: dict[str, Row] = {}
        for r in rows:
            op = r.plan.get("door")
            if op and op[0] == "new" and op[1] not in self.door_ids and op[1] not in implicit:
                implicit[op[1]] = Row(
                    r.number, [], {}, plan={"reason": r.plan["reason"], "d": ("new", op[2], op[3])}
                )
        made = apply(list(implicit.values()), "d", StandardAddress, w)
        for code, pseudo in implicit.items():
            self.door_ids[code] = made[pseudo.number]
            self.implicit[code] = pseudo.plan["d"][1]
        rooms = [r for r in rows if r.plan.get("door") is not None]
        for r in rooms:
            op = r.plan["door"]
            if r.plan["a"][0] == "new":
                r.plan["a"][1]["parent_id"] = op[1] if op[0] == "id" else self.door_ids[op[1]]
        apply(rooms, "a", StandardAddress, w)
        w.history.flush()
