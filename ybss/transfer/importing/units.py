"""Importing units (实有单位), keyed on the unified social credit code, then on 来源编号.

The checks are ``registry.services._validate_unit``'s: codes (category, industry, special trade,
each hazard), the credit code (format error; a failed check character is only a warning), the
legal representative's ID and age, phones, and the address must be a standard address in force
(有效) in the importing user's jurisdiction. A credit code held by a unit of another jurisdiction
is an error rather than a second unit. Hazards are several codes in one cell (顿号-separated).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ybss.core.identifiers import check_credit_code
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.registry import rules
from ybss.registry.models import Unit

from .apply import apply, diff, given
from .base import KindImporter, Row
from .parse import split_codes
from .resolve import select_in

UNIT_FIELDS = (
    "name",
    "credit_code",
    "category",
    "industry",
    "special_trade",
    "hazards",
    "legal_rep_name",
    "legal_rep_id_number",
    "phone",
    "source_ref",
)
READ = ("id", "version", "status", "address_id", "division_id", "police_unit_id", *UNIT_FIELDS)


class UnitsImport(KindImporter):
    kind = "units"
    codelists = ("unit_category", "industry", "special_trade", "hazard")
    slots = {"u": "registry.unit"}

    def check(self, rows: list[Row]) -> None:
        parsed = [(row, self._parse(row)) for row in rows]
        ok = [(row, v) for row, v in parsed if v is not None]
        codes = sorted({v["values"]["credit_code"] for _r, v in ok if v["values"]["credit_code"]})
        by_code: dict[str, list[dict[str, Any]]] = {}
        for u in select_in(Unit, READ, "credit_code", codes):
            if u["status"] != RecordStatus.VOIDED:
                by_code.setdefault(u["credit_code"], []).append(u)
        refs = sorted({v["values"]["source_ref"] for _r, v in ok if v["values"]["source_ref"]})
        by_ref: dict[str, list[dict[str, Any]]] = {}
        if refs:
            scoped = jurisdiction.scope(Unit.objects.exclude(status=RecordStatus.VOIDED), self.ctx.actor)
            for u in scoped.filter(source_ref__in=refs).values(*READ):
                by_ref.setdefault(u["source_ref"], []).append(u)
        for row, v in ok:
            applies, existing = self._existing(row, v, by_code, by_ref)
            if applies:
                self._plan(row, v, existing)

    def _existing(
        self,
        row: Row,
        v: dict[str, Any],
        by_code: dict[str, list[dict[str, Any]]],
        by_ref: dict[str, list[dict[str, Any]]],
    ) -> tuple[bool, dict[str, Any] | None]:
        """``(True, the unit this row updates)``, ``(True, None)`` for a new one, ``(False, None)``
        when the row cannot apply."""
        code, ref = v["values"]["credit_code"], v["values"]["source_ref"]
        found = by_code.get(code, []) if code else []
        if not found and ref:
            found = [
                u for u in by_ref.get(ref, []) if not code or not u["credit_code"] or u["credit_code"] == code
            ]
            if len(found) > 1:
                self.issue(
                    row, "source_ref", "unit.ambiguous", _("Several units have this source record number.")
                )
                return False, None
        if not found:
            return True, None
        if len(found) > 1:
            self.issue(row, "credit_code", "unit.ambiguous", _("Several units have this credit code."))
            return False, None
        unit = found[0]
        if not self.ctx.addresses.can_write(unit["division_id"], unit["police_unit_id"]):
            self.issue(
                row,
                "credit_code",
                "unit.other_jurisdiction",
                _("A unit with this credit code is recorded by another jurisdiction."),
            )
            return False, None
        return True, unit

    def _parse(self, row: Row) -> dict[str, Any] | None:
        ctx = self.ctx
        name = self.text_of(row, "name", 100)
        if not name:
            self.issue(row, "name", "required", _("This field is required."))
        credit_code = ""
        if row.text("credit_code"):
            checked = check_credit_code(row.text("credit_code"))
            credit_code = checked.value
            for f in checked.findings:
                self.issue(row, "credit_code", f.code, f.message, f.severity)
            if not checked.ok:
                credit_code = ""
        hazards = None
        if row.text("hazards"):
            hazards = []
            for part in split_codes(row.text("hazards")):
                code = ctx.codes.lookup("hazard", part)
                if code is None:
                    self.issue(
                        row,
                        "hazards",
                        "code.unknown",
                        _("“%(value)s” is not a valid choice.") % {"value": part},
                    )
                else:
                    hazards.append(code)
            hazards = sorted(set(hazards))
        values = {
            "name": name,
            "credit_code": credit_code,
            "category": self.code(row, "category", "unit_category", required=True),
            "industry": self.code(row, "industry", "industry"),
            "special_trade": self.code(row, "special_trade", "special_trade"),
            "hazards": hazards,
            "legal_rep_name": self.text_of(row, "legal_rep_name", 40),
            "legal_rep_id_number": "",
            "phone": self.phone(row, "phone"),
            "source_ref": self.text_of(row, "source_ref", 64),
        }
        values["legal_rep_id_number"], birth = self.id_card(row, "legal_rep_id_number")
        if birth is not None and row.ok:
            for f in rules.check_role_age(birth, "legal_rep", ctx.today):
                self.issue(row, "legal_rep_id_number", f.code, f.message)
        place = self.resolve_place(row, "address")
        if place is None:
            return None
        for f in rules.check_unit_address_active(place.status):
            self.issue(row, "address", f.code, f.message)
        if credit_code:
            row.unique.append((("unit", credit_code), "credit_code"))
        if values["source_ref"]:
            row.unique.append((("unit-ref", values["source_ref"]), "source_ref"))
        return {"values": values, "place": place}

    def _plan(self, row: Row, v: dict[str, Any], existing: dict[str, Any] | None) -> None:
        if not row.ok:
            return
        place = v["place"]
        stamp = (place.division_id, place.police_unit_id)
        plan: dict[str, Any] = {"reason": self.ctx.reason(row.number)}
        if existing is None:
            new = {k: val for k, val in v["values"].items() if val is not None}
            new["address_id"] = place.address_id
            plan["u"] = ("new", new, stamp)
        else:
            wanted = given(v["values"])
            wanted.update(address_id=place.address_id, division_id=stamp[0], police_unit_id=stamp[1])
            changes = diff(existing, wanted)
            plan["u"] = (
                ("upd", existing["id"], existing["version"], changes) if changes else ("same", existing["id"])
            )
        row.plan = plan

    def write(self, rows: list[Row], w: Any) -> None:
        apply(rows, "u", Unit, w)
        w.history.flush()
