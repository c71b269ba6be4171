"""Importing persons with their residence (实有人口 + 居住), keyed on document type + number.

A row names a person and the standard address they live at; the person is created or updated,
and one active residence at the house on that address is created or updated. The checks are the
registry's (``registry.services._validate_person`` / ``_validate_residence``) done in bulk:
identifiers, codes, dates, the residence rules (one active 常住; 寄住 needs a county hukou, 流动 an
outside one), the householder's age; 人户分离 is derived from the hukou and the house's township.

Update rules: a blank cell never erases a stored value; a person stamped outside the importing
user's jurisdiction keeps their details (a warning says so) but still gets the residence here, and
the units holding them get a notice, as ``person_register`` does.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin
from pypinyin.phrases_dict import phrases_dict

from ybss.core.identifiers import check_id_number, check_phone, normalize_phone
from ybss.core.models import RecordStatus
from ybss.org.models import Notice, NoticeKind
from ybss.registry import rules
from ybss.registry.models import Person, Residence

from .apply import apply, diff, given
from .base import KindImporter, Row
from .parse import parse_date, parse_datetime
from .resolve import select_in

PERSON_FIELDS = (
    "name",
    "pinyin",
    "sex",
    "ethnicity",
    "birth_date",
    "phone",
    "hukou_division_code",
    "hukou_address_text",
    "source_ref",
)
RESIDENCE_FIELDS = ("residence_type", "relation", "reason", "since", "separated", "source_ref")
ID_CARDS = ("111", "112")
NEEDS_HUKOU = ("permanent", "lodging", "floating")
#: Which column an identifier finding belongs to.
ID_FINDING_COLUMN = {"id.sex_mismatch": "sex", "id.birth_mismatch": "birth_date"}


@lru_cache(maxsize=20_000)
def _char_pinyin(ch: str) -> str:
    return "".join(lazy_pinyin(ch)).lower()


@lru_cache(maxsize=100_000)
def pinyin_of(name: str) -> str:
    """``"".join(lazy_pinyin(name)).lower()``, as ``registry.services`` stores it, but about ten
    times faster for names in which no two or more characters form a phrase of pypinyin's phrase
    dictionary (nearly all): then the segmentation is per character, and characters are cached."""
    n = len(name)
    for i in range(n - 1):
        for j in range(i + 2, n + 1):
            if name[i:j] in phrases_dict:
                return "".join(lazy_pinyin(name)).lower()
    return "".join(_char_pinyin(ch) for ch in name)


@lru_cache(maxsize=50_000)
def _separated(hukou: str, division_id: str) -> bool:
    return rules.is_household_separated(hukou or None, division_id)


class PersonsImport(KindImporter):
    kind = "persons"
    codelists = ("id_type", "sex", "ethnicity", "residence_type", "relation", "residence_reason")
    slots = {"p": "registry.person", "r": "registry.residence"}

    # --- validation --------------------------------------------------------------------------

    def check(self, rows: list[Row]) -> None:
        parsed = [(row, self._parse(row)) for row in rows]
        keys = {(v["id_type"], v["id_number"]) for _row, v in parsed if v is not None}
        persons = self._existing_persons(keys)
        residences = self._active_residences([p["id"] for p in persons.values()])
        for row, values in parsed:
            if values is not None:
                self._plan(row, values, persons.get((values["id_type"], values["id_number"])), residences)

    def _parse(self, row: Row) -> dict[str, Any] | None:
        """Cell checks that need no database; the values, or None when the key is unusable."""
        ctx = self.ctx
        t = row.clean.get
        issue = self.issue
        id_type = self.code(row, "id_type", "id_type") if t("id_type") else "111"
        name = t("name", "")
        if not name:
            issue(row, "name", "required", _("This field is required."))
        elif len(name) > 60:
            self.max_length(row, "name", name, 60)
        sex = self.code(row, "sex", "sex")
        ethnicity = self.code(row, "ethnicity", "ethnicity")
        birth_date = None
        if t("birth_date"):
            birth_date, problem = parse_date(t("birth_date", ""))
            if problem:
                issue(row, "birth_date", *problem)
            elif birth_date and birth_date > ctx.today:
                issue(row, "birth_date", "date.future", _("The date cannot be in the future."))
        id_number = t("id_number", "").replace(" ", "")
        key_ok = bool(id_number)
        if not id_number:
            issue(row, "id_number", "required", _("This field is required."))
        elif id_type in ID_CARDS:
            checked = check_id_number(
                id_number,
                today=ctx.today,
                known_regions=ctx.regions,
                expected_sex=sex if sex in ("1", "2") else None,
                expected_birth_date=birth_date,
            )
            id_number = checked.value
            for f in checked.findings:
                column = ID_FINDING_COLUMN.get(f.code, "id_number")
                key_ok = key_ok and not (f.is_error and column == "id_number")
                issue(row, column, f.code, f.message, f.severity)
            if "E+" in id_number or "E+" in t("id_number", "").upper():
                key_ok = False
                issue(
                    row,
                    "id_number",
                    "id.stored_as_number",
                    _("The ID number was stored as a number and lost digits; format the column as text."),
                )
            if checked.ok:
                sex = sex or (checked.sex or "")
                birth_date = birth_date or checked.birth_date
        else:
            id_number = id_number.upper()
            if len(id_number) > 32:
                key_ok = False
                self.max_length(row, "id_number", id_number, 32)
        if not sex and not t("sex") and id_type not in ID_CARDS:
            issue(row, "sex", "required", _("This field is required."))
        phone = t("phone", "")
        if phone:
            for f in check_phone(phone):
                issue(row, "phone", f.code, f.message, f.severity)
            phone = normalize_phone(phone)
        hukou = t("hukou_division_code", "")
        if hukou and not (hukou.isdigit() and len(hukou) in (6, 9, 12)):
            issue(
                row, "hukou_division_code", "division.format", _("Enter a 6-, 9- or 12-digit division code.")
            )
        hukou_text = t("hukou_address_text", "")
        if len(hukou_text) > 200:
            self.max_length(row, "hukou_address_text", hukou_text, 200)
        source_ref = t("source_ref", "")
        if len(source_ref) > 64:
            self.max_length(row, "source_ref", source_ref, 64)
        residence_type = self.code(row, "residence_type", "residence_type", required=True)
        relation = self.code(row, "relation", "relation")
        reason = self.code(row, "reason", "residence_reason")
        since = None
        if t("since"):
            since, problem = parse_date(t("since", ""))
            if problem:
                issue(row, "since", *problem)
            elif since and since > ctx.today:
                issue(row, "since", "date.future", _("The date cannot be in the future."))
        collected_at = None
        if t("collected_at"):
            collected_at, problem = parse_datetime(t("collected_at", ""))
            if problem:
                issue(row, "collected_at", *problem, severity="warning")
        place = self._place(row)
        if not key_ok:
            return None  # no usable key: nothing to look up or to compare with other rows
        row.unique.append((("person", id_type, id_number), "id_number"))
        return {
            "id_type": id_type,
            "id_number": id_number,
            "person": {
                "name": name,
                "pinyin": pinyin_of(name) if name else "",
                "sex": sex,
                "ethnicity": ethnicity,
                "birth_date": birth_date,
                "phone": phone,
                "hukou_division_code": hukou.ljust(12, "0") if hukou.isdigit() else "",
                "hukou_address_text": hukou_text,
                "source_ref": source_ref,
            },
            "residence": {
                "residence_type": residence_type,
                "relation": relation,
                "reason": reason,
                "since": since,
                "source_ref": source_ref,
            },
            "place": place,
            "collector": t("collector", ""),
            "collected_at": collected_at.isoformat(" ", "minutes") if collected_at else "",
        }

    def _place(self, row: Row) -> Any:
        place = self.resolve_place(row, "address")
        if place is not None and place.house_id is None:
            self.issue(
                row,
                "address",
                "address.no_house",
                _("No house is recorded at this address; import or record the house first."),
            )
            return None
        return place

    def _existing_persons(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        out: dict[tuple[str, str], dict[str, Any]] = {}
        columns = (
            "id",
            "id_type",
            "id_number",
            "version",
            "status",
            "division_id",
            "police_unit_id",
            *PERSON_FIELDS,
        )
        by_type: dict[str, list[str]] = {}
        for id_type, number in keys:
            by_type.setdefault(id_type, []).append(number)
        for id_type, numbers in by_type.items():  # (id_type, id_number) is the unique index
            for p in select_in(Person, columns, "id_number", sorted(numbers), where={"id_type": id_type}):
                out[(p["id_type"], p["id_number"])] = p
        return out

    def _active_residences(self, person_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = {}
        columns = (
            "id",
            "person_id",
            "house_id",
            "version",
            "police_unit_id",
            "active",
            "status",
            *RESIDENCE_FIELDS,
        )
        for r in select_in(Residence, columns, "person_id", person_ids):
            if r["active"] and r["status"] != RecordStatus.VOIDED:
                out.setdefault(r["person_id"], []).append(r)
        return out

    def _residence_type_findings(self, rtype: str, hukou: str) -> tuple[Any, ...]:
        """``rules.check_residence_type``, memoised per (type, hukou): both repeat down a file."""
        memo = self.__dict__.setdefault("_rtype_memo", {})
        key = (rtype, hukou)
        if key not in memo:
            memo[key] = rules.check_residence_type(rtype, hukou or None, self.ctx.county_code)
        return memo[key]

    def _plan(
        self,
        row: Row,
        v: dict[str, Any],
        existing: dict[str, Any] | None,
        residences: dict[int, list[dict[str, Any]]],
    ) -> None:
        ctx = self.ctx
        place = v["place"]
        person = v["person"]
        if existing is not None and existing["status"] == RecordStatus.VOIDED:
            self.issue(row, "id_number", "record.voided", _("A voided record cannot be changed."))
            return
        hukou = person["hukou_division_code"] or (existing or {}).get("hukou_division_code") or ""
        birth_date = person["birth_date"] or (existing or {}).get("birth_date")
        res = v["residence"]
        rtype = res["residence_type"]
        if rtype:
            if rtype in NEEDS_HUKOU and not hukou:
                self.issue(
                    row,
                    "hukou_division_code",
                    "residence.needs_hukou",
                    _("This residence type needs the registered domicile division code."),
                )
            else:
                for f in self._residence_type_findings(rtype, hukou):
                    self.issue(row, "residence_type", f.code, f.message)
        mine = residences.get(existing["id"], []) if existing else []
        here = next((r for r in mine if place is not None and r["house_id"] == place.house_id), None)
        others = [r["residence_type"] for r in mine if r is not here]
        for f in rules.check_single_active_permanent(others, rtype):
            self.issue(row, "residence_type", f.code, f.message)
        if res["relation"] == "02":
            for f in rules.check_role_age(birth_date, "householder", ctx.today):
                self.issue(row, "relation", f.code, f.message)
        if place is None or not row.ok:
            return
        collector_id = ctx.collectors.find(v["collector"])
        plan: dict[str, Any] = {
            "reason": ctx.reason(row.number, v["collector"], v["collected_at"]),
            "created_by": collector_id or ctx.actor.pk,
        }
        stamp = (place.house_division_id, place.house_police_unit_id)
        if existing is None:
            plan["p"] = ("new", {"id_type": v["id_type"], "id_number": v["id_number"], **person}, stamp)
        else:
            values = given(person)
            if "name" not in values:
                values.pop("pinyin", None)
            changes = diff(existing, values)
            if changes and not ctx.addresses.can_write(existing["division_id"], existing["police_unit_id"]):
                self.issue(
                    row,
                    "id_number",
                    "person.not_updated",
                    _("This person is recorded by another jurisdiction; their details were not updated."),
                    "warning",
                )
                changes = {}
            if changes:
                plan["p"] = ("upd", existing["id"], existing["version"], changes)
            else:
                plan["p"] = ("same", existing["id"])
        separated = _separated(hukou, place.house_division_id or "")
        res_values = {**res, "separated": separated}
        if here is None:
            res_values.update(house_id=place.house_id, active=True)
            plan["r"] = ("new", res_values, stamp)
            if existing is not None:
                holders = {r["police_unit_id"] for r in mine} | {existing["police_unit_id"]}
                plan["notify"] = sorted(holders - {place.house_police_unit_id})
        else:
            values = given(res_values)
            values["separated"] = separated
            changes = diff(here, values)
            plan["r"] = ("upd", here["id"], here["version"], changes) if changes else ("same", here["id"])
        row.plan = plan

    # --- writing -----------------------------------------------------------------------------

    def write(self, rows: list[Row], w: Any) -> None:
        """Apply the plans of ``rows`` (all good) in bulk: persons, then their residences, then the
        notices to units that already held a person who got a new residence here."""
        person_ids = apply(rows, "p", Person, w)
        notices = []
        for r in rows:
            op = r.plan["r"]
            if op[0] == "new":
                op[1]["person_id"] = person_ids[r.number]
                for unit in r.plan.get("notify", ()):
                    notices.append(
                        Notice(
                            police_unit_id=unit,
                            kind=NoticeKind.PERSON_REGISTERED_ELSEWHERE,
                            record_type="registry.person",
                            record_id=person_ids[r.number],
                            from_unit_id=op[2][1],
                            created_by_id=w.actor_id,
                        )
                    )
        apply(rows, "r", Residence, w)
        if notices:
            Notice.objects.bulk_create(notices)
        w.history.flush()
