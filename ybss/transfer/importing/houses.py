"""Importing houses (实有房屋), keyed on the house's address, then on 来源编号.

A row names a standard address in the importing user's jurisdiction; the house at that address is
updated, or, when the address has none, the house with the row's 来源编号 (moved to this address),
or else a new house is created there. The checks are ``registry.services._validate_house``'s:
codes, ranges, the owner's ID and phone, a rented house needs its rental mode and a landlord. The
template has no landlord column: the landlord is the person whose resident ID is the 房主证件号码
(imported as a person first), or the house's current landlord. A door plate that has room addresses
takes no house (as ``house_create``); one house per address, so an address twice in a file flags
both rows.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.registry import rules
from ybss.registry.models import House, Person

from .apply import apply, diff, given
from .base import KindImporter, Row
from .resolve import select_in

HOUSE_FIELDS = (
    "house_type",
    "structure",
    "floors",
    "rooms",
    "area",
    "use",
    "ownership",
    "owner_name",
    "owner_id_number",
    "owner_phone",
    "rental_mode",
    "rental_start",
    "rent",
    "rental_filing_no",
    "security_pledge",
    "management_level",
    "source_ref",
)
READ = (
    "id",
    "version",
    "status",
    "address_id",
    "division_id",
    "police_unit_id",
    "landlord_id",
    *HOUSE_FIELDS,
)


class HousesImport(KindImporter):
    kind = "houses"
    codelists = ("house_type", "house_structure", "house_use", "ownership", "rental_mode", "management_level")
    slots = {"h": "registry.house"}

    def check(self, rows: list[Row]) -> None:
        parsed = [(row, self._parse(row)) for row in rows]
        ok = [(row, v) for row, v in parsed if v is not None]
        by_id = {
            h["id"]: h
            for h in select_in(
                House, READ, "id", [v["place"].house_id for _r, v in ok if v["place"].house_id]
            )
        }
        refs = sorted(
            {
                v["values"]["source_ref"]
                for _r, v in ok
                if not v["place"].house_id and v["values"]["source_ref"]
            }
        )
        by_ref: dict[str, list[dict[str, Any]]] = {}
        if refs:
            scoped = jurisdiction.scope(House.objects.exclude(status=RecordStatus.VOIDED), self.ctx.actor)
            for h in scoped.filter(source_ref__in=refs).values(*READ):
                by_ref.setdefault(h["source_ref"], []).append(h)
        owners = sorted({v["owner_id"] for _r, v in ok if v["owner_id"]})
        landlords = {
            p["id_number"]: p
            for p in select_in(
                Person,
                ("id", "id_number", "birth_date", "status"),
                "id_number",
                owners,
                where={"id_type": "111"},
            )
            if p["status"] != RecordStatus.VOIDED
        }
        for row, v in ok:
            place = v["place"]
            existing = by_id.get(place.house_id) if place.house_id else None
            if existing is None and v["values"]["source_ref"]:
                found = by_ref.get(v["values"]["source_ref"], [])
                if len(found) > 1:
                    self.issue(
                        row,
                        "source_ref",
                        "house.ambiguous",
                        _("Several houses have this source record number."),
                    )
                    continue
                existing = found[0] if found else None
            self._plan(row, v, existing, landlords.get(v["owner_id"]))

    def _parse(self, row: Row) -> dict[str, Any] | None:
        values = {
            "house_type": self.code(row, "house_type", "house_type", required=True),
            "structure": self.code(row, "structure", "house_structure"),
            "floors": self.number(row, "floors", 1, 200),
            "rooms": self.number(row, "rooms", 0, 999),
            "area": self.number(row, "area", 1, 100000, places=2),
            "use": self.code(row, "use", "house_use", required=True),
            "ownership": self.code(row, "ownership", "ownership"),
            "owner_name": self.text_of(row, "owner_name", 40),
            "owner_id_number": "",
            "owner_phone": self.phone(row, "owner_phone"),
            "rental_mode": self.code(row, "rental_mode", "rental_mode"),
            "rental_start": self.date(row, "rental_start"),
            "rent": self.number(row, "rent", 0, 10_000_000, places=2),
            "rental_filing_no": self.text_of(row, "rental_filing_no", 40),
            "security_pledge": self.boolean(row, "security_pledge"),
            "management_level": self.code(row, "management_level", "management_level"),
            "source_ref": self.text_of(row, "source_ref", 64),
        }
        values["owner_id_number"], owner_birth = self.id_card(row, "owner_id_number")
        place = self.resolve_place(row, "address")
        if place is None:
            return None
        if place.level == "door" and place.has_rooms:
            self.issue(
                row, "address", "address.has_rooms", _("Choose a room address: this door plate has rooms.")
            )
            return None
        row.unique.append((("house", place.address_id), "address"))
        if values["source_ref"]:
            row.unique.append((("house-ref", values["source_ref"]), "source_ref"))
        owner_id = values["owner_id_number"] if row.ok else ""
        return {"values": values, "place": place, "owner_id": owner_id, "owner_birth": owner_birth}

    def _plan(
        self, row: Row, v: dict[str, Any], existing: dict[str, Any] | None, owner: dict[str, Any] | None
    ) -> None:
        ctx = self.ctx
        place = v["place"]
        values = v["values"]
        if existing is not None and not ctx.addresses.can_write(
            existing["division_id"], existing["police_unit_id"]
        ):
            existing = None  # not reachable through the scoped look-ups; kept as a guard
        use = values["use"] or (existing or {}).get("use", "")
        landlord_id = owner["id"] if owner else (existing or {}).get("landlord_id")
        if use == rules.RENTED_HOUSE_USE:
            if not (values["rental_mode"] or (existing or {}).get("rental_mode")):
                self.issue(
                    row, "rental_mode", "house.rental_mode", _("A rented house needs its rental mode.")
                )
            if landlord_id is None:
                self.issue(
                    row,
                    "owner_id_number",
                    "house.rental_without_landlord",
                    _(
                        "A rented house needs a landlord: give the owner's resident ID number of a person "
                        "already recorded (import the owner as a person first)."
                    ),
                )
            elif owner is not None:
                for f in rules.check_role_age(owner["birth_date"], "landlord", ctx.today):
                    self.issue(row, "owner_id_number", f.code, f.message)
        if not row.ok:
            return
        stamp = (place.division_id, place.police_unit_id)
        plan: dict[str, Any] = {"reason": ctx.reason(row.number)}
        if existing is None:
            new = {k: val for k, val in values.items() if val is not None}
            if not new["management_level"]:
                del new["management_level"]  # the model's default, 常规
            new.update(address_id=place.address_id, landlord_id=landlord_id)
            plan["h"] = ("new", new, stamp)
        else:
            wanted = given(values)
            wanted.update(address_id=place.address_id, division_id=stamp[0], police_unit_id=stamp[1])
            if landlord_id is not None:
                wanted["landlord_id"] = landlord_id
            changes = diff(existing, wanted)
            plan["h"] = (
                ("upd", existing["id"], existing["version"], changes) if changes else ("same", existing["id"])
            )
        row.plan = plan

    def write(self, rows: list[Row], w: Any) -> None:
        apply(rows, "h", House, w)
        w.history.flush()
