"""Pure, ORM-free generation of the demo county: ``generate(scale, seed) -> DemoData``.

The same ``(scale, seed)`` gives byte-identical rows in any process: every random draw comes from
a named stream seeded from ``seed`` (``common.stream``) and every timestamp from the fixed demo
clock (``common.REFERENCE_DATE``), never the wall clock.

Totals
------
At scale 1 the county has exactly 146,713 standard addresses (door plates and rooms), 146,712
houses, 218,711 persons and 855 units (the real Heyang figures, DOMAIN.md §1). At any other
scale each total is ``max(1, round_half_up(total × scale))`` computed in decimal arithmetic on
the scale as written (so 0.01 → 1,467 / 1,467 / 2,187 / 9): see :func:`totals_for`.
Every person has one active residence, so residences = persons; employments, gazetteer
elements and history rows follow from the rest.

``DemoData.tables`` holds, per database table and in a foreign-key-safe load order, the column
names and the row tuples (str / int / bool / None only: dates and times are ISO text, times in
naive UTC as Django stores them, decimals and JSON as text), so the same rows can be written by
``demo.load`` or by a plain ``sqlite3`` benchmark. The organisation (divisions, police units,
users) is in ``DemoData.org``; ``DemoData.org_tables`` renders it as rows too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .common import stream
from .county import OrgPlan, build_org
from .gazetteer import ADDRESS_COLUMNS, ELEMENT_COLUMNS, build_addresses
from .housing import HOUSE_COLUMNS, house_rows, plan_houses
from .identity import IdNumbers, Phones
from .population import PERSON_COLUMNS, RESIDENCE_COLUMNS, populate
from .units import EMPLOYMENT_COLUMNS, UNIT_COLUMNS, build_units

HISTORY_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "record_type",
    "record_id",
    "version",
    "action",
    "changes",
    "reason",
)
#: Business tables → the ``record_type`` their history rows carry (``app_label.modelname``).
RECORD_TYPES = {
    "addresses_standardaddress": "addresses.standardaddress",
    "registry_person": "registry.person",
    "registry_house": "registry.house",
    "registry_residence": "registry.residence",
    "registry_unit": "registry.unit",
    "registry_employment": "registry.employment",
}
USER_COLUMNS = (
    "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
    "is_staff", "is_active", "date_joined", "full_name", "role", "phone", "division_id", "police_unit_id",
)  # fmt: skip
#: When the demo staff accounts were opened (naive UTC; 09:00 Beijing).
USERS_JOINED = "2026-08-25 01:00:00"


@dataclass(frozen=True)
class Totals:
    addresses: int
    houses: int
    persons: int
    units: int


FULL_TOTALS = Totals(addresses=146_713, houses=146_712, persons=218_711, units=855)


def totals_for(scale: float | str | Decimal) -> Totals:
    """The four totals at ``scale``: ``max(1, ROUND_HALF_UP(full × scale))`` in decimal arithmetic.

    Raises ValueError for a scale that is not a positive number.
    """
    s = Decimal(str(scale))
    if not s.is_finite() or s <= 0:
        raise ValueError("scale must be a positive number")

    def part(n: int) -> int:
        return max(1, int((n * s).to_integral_value(rounding=ROUND_HALF_UP)))

    f = FULL_TOTALS
    return Totals(part(f.addresses), part(f.houses), part(f.persons), part(f.units))


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: list[tuple]


@dataclass
class DemoData:
    scale: float
    seed: int
    totals: Totals
    org: OrgPlan
    tables: dict[str, Table]

    def counts(self) -> dict[str, int]:
        return {name: len(t.rows) for name, t in self.tables.items()}

    @property
    def total_rows(self) -> int:
        return sum(len(t.rows) for t in self.tables.values())

    def org_tables(self, password_hash: str) -> dict[str, Table]:
        """The organisation as rows (what ``demo.load`` writes through the org services)."""
        org = self.org
        divisions = [(d.code, d.name, d.level, d.prefix, d.full_name, d.parent_code) for d in org.divisions]
        units = [(u.code, u.name, u.kind, u.prefix, u.parent_code) for u in org.police_units]
        links = [(u.code, code) for u in org.police_units for code in u.division_codes]
        users = [
            (
                u.id,
                password_hash,
                None,
                False,
                u.username,
                "",
                "",
                "",
                u.is_staff,
                True,
                USERS_JOINED,
                u.full_name,
                u.role,
                u.phone,
                u.division_code,
                u.police_unit_code,
            )
            for u in org.users
        ]
        return {
            "org_admindivision": Table(
                "org_admindivision", ("code", "name", "level", "prefix", "full_name", "parent_id"), divisions
            ),
            "org_policeunit": Table("org_policeunit", ("code", "name", "kind", "prefix", "parent_id"), units),
            "org_policeunit_divisions": Table(
                "org_policeunit_divisions",
                ("id", "policeunit_id", "admindivision_id"),
                [(i, *link) for i, link in enumerate(links, start=1)],
            ),
            "org_user": Table(
                "org_user",
                (
                    "id",
                    "password",
                    "last_login",
                    "is_superuser",
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "is_staff",
                    "is_active",
                    "date_joined",
                    "full_name",
                    "role",
                    "phone",
                    "division_id",
                    "police_unit_id",
                ),
                users,
            ),
        }


STAGES = ("organisation", "addresses", "houses", "population", "house rows", "units", "history")


def generate(scale: float, seed: int, progress: Callable[[str], None] | None = None) -> DemoData:
    """Generate the demo county at ``scale`` for ``seed`` (pure: no database, no clock).

    ``progress`` is called with the name of each stage in :data:`STAGES` as it finishes.
    """
    step = progress or (lambda _stage: None)
    totals = totals_for(scale)
    org = build_org(seed)
    ids, phones = IdNumbers(stream(seed, "id-numbers")), Phones(stream(seed, "phones"))
    step("organisation")
    addresses = build_addresses(org, seed, totals.addresses)
    step("addresses")
    houses = plan_houses(addresses, totals.houses, seed)
    step("houses")
    people = populate(org, addresses, houses, totals.persons, seed, ids, phones)
    step("population")
    house_table = house_rows(org, houses, people, seed, ids, phones)
    step("house rows")
    units, jobs = build_units(org, addresses, houses, people, totals.units, seed, phones)
    step("units")
    tables = [
        Table("addresses_addresselement", ELEMENT_COLUMNS, addresses.elements),
        Table("addresses_standardaddress", ADDRESS_COLUMNS, addresses.rows),
        Table("registry_person", PERSON_COLUMNS, [tuple(p) for p in people.persons]),
        Table("registry_house", HOUSE_COLUMNS, house_table),
        Table("registry_residence", RESIDENCE_COLUMNS, people.residences),
        Table("registry_unit", UNIT_COLUMNS, units),
        Table("registry_employment", EMPLOYMENT_COLUMNS, jobs),
    ]
    tables.append(Table("audit_recordhistory", HISTORY_COLUMNS, _history(tables)))
    step("history")
    return DemoData(scale, seed, totals, org, {t.name: t for t in tables})


def _history(tables: list[Table]) -> list[tuple]:
    """One "create" history row per business record, at its creation time, by its creator."""
    rows: list[tuple] = []
    changes = json.dumps({})
    for t in tables:
        record_type = RECORD_TYPES.get(t.name)
        if record_type is None:
            continue
        at, by = t.columns.index("created_at"), t.columns.index("created_by_id")
        n = len(rows)
        rows.extend(
            (n + i, r[at], r[by], record_type, r[0], 1, "create", changes, "demo")
            for i, r in enumerate(t.rows, start=1)
        )
    return rows
