"""What validation looks up, loaded once per import for the importing user's jurisdiction.

* :class:`AddressIndex`: the standard addresses the user may write to, by code, by full name and
  by alias (compared through ``parse.address_key``), with the house at each address. An address
  outside the jurisdiction is simply not in the index, so it is "unmatched" like a missing one.
* :class:`CollectorIndex`: users in the jurisdiction by username and by full name.

Both read through ``org.jurisdiction.scope`` and check every (division, police unit) pair they
hand out with ``jurisdiction.check_can_write``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models

from ybss.addresses.models import AddressAlias, StandardAddress
from ybss.core.errors import AppError
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, User
from ybss.registry.models import House

from .parse import address_key, clean
from .write import column_of

AMBIGUOUS = -1


@dataclass(frozen=True)
class Place:
    """A resolved standard address and the house on it (if any)."""

    address_id: int
    code: str
    division_id: str
    police_unit_id: str
    status: str
    level: str
    has_rooms: bool
    house_id: int | None
    house_division_id: str | None
    house_police_unit_id: str | None


def county_prefixes() -> tuple[str, ...]:
    """Names of the province, city and county of this installation, to drop from address text."""
    code = settings.YBSS_COUNTY_CODE.ljust(12, "0")
    names: list[str] = []
    node = AdminDivision.objects.filter(code=code).select_related("parent__parent").first()
    while node is not None:
        names.append(node.name)
        node = node.parent
    return tuple(reversed(names))


class AddressIndex:
    """The user's writable standard addresses (not voided) and their houses."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.prefixes = county_prefixes()
        self._rows: list[tuple[int, str, str, str, str, str]] = []
        self._parents: set[int] = set()
        self._by_code: dict[str, int] = {}
        self._by_key: dict[str, int] = {}
        self._writable: dict[tuple[str, str], bool] = {}
        self._memo: dict[str, tuple[Place | None, str]] = {}
        self._by_id: dict[int, int] = {}
        self._houses: dict[int, tuple[int, str, str]] = {}
        self._loaded = False

    def _load(self) -> None:
        """Read the addresses, aliases and houses once, on the first look-up (an address import
        never needs them)."""
        self._loaded = True
        actor = self.actor
        addresses = jurisdiction.scope(
            StandardAddress.objects.exclude(status=RecordStatus.VOIDED), actor
        ).order_by("id")
        for pk, code, name, div, pu, status, level, parent in addresses.values_list(
            "id", "code", "full_name", "division_id", "police_unit_id", "status", "level", "parent_id"
        ).iterator(chunk_size=20_000):
            i = len(self._rows)
            self._rows.append((pk, code, div, pu, status, level))
            if parent is not None:
                self._parents.add(parent)
            self._by_id[pk] = i
            self._by_code[code.upper()] = i
            self._add_key(address_key(name, self.prefixes), i)
        aliases = AddressAlias.objects.filter(address_id__in=addresses.values("id")).values_list(
            "address_id", "name"
        )
        for address_id, name in aliases.iterator(chunk_size=20_000):
            at = self._by_id.get(address_id)
            if at is not None:
                self._add_key(address_key(name, self.prefixes), at)
        houses = jurisdiction.scope(House.objects.exclude(status=RecordStatus.VOIDED), actor).order_by("-id")
        for pk, address_id, div, pu in houses.values_list(
            "id", "address_id", "division_id", "police_unit_id"
        ).iterator(chunk_size=20_000):
            self._houses[address_id] = (pk, div, pu)  # descending ids: the oldest house wins

    def _add_key(self, key: str, i: int) -> None:
        if not key:
            return
        current = self._by_key.get(key)
        if current is None:
            self._by_key[key] = i
        elif current != i:
            self._by_key[key] = AMBIGUOUS

    def can_write(self, division_id: str, police_unit_id: str) -> bool:
        pair = (division_id, police_unit_id)
        ok = self._writable.get(pair)
        if ok is None:
            try:
                jurisdiction.check_can_write(
                    self.actor, division_id=division_id, police_unit_id=police_unit_id
                )
                ok = True
            except AppError:
                ok = False
            self._writable[pair] = ok
        return ok

    def resolve(self, text: str) -> tuple[Place | None, str]:
        """``(place, "")`` or ``(None, "address.unmatched" | "address.ambiguous")`` (memoised)."""
        if not self._loaded:
            self._load()
        found = self._memo.get(text)
        if found is None:
            found = self._memo[text] = self._resolve(text)
        return found

    def _resolve(self, text: str) -> tuple[Place | None, str]:
        t = clean(text)
        i = self._by_code.get(t.upper().replace(" ", ""))
        if i is None:
            i = self._by_key.get(address_key(t, self.prefixes))
        if i is None:
            i = self._match(t)
        if i is None:
            return None, "address.unmatched"
        if i == AMBIGUOUS:
            return None, "address.ambiguous"
        pk, code, div, pu, status, level = self._rows[i]
        if not self.can_write(div, pu):
            return None, "address.unmatched"
        house = self._houses.get(pk)
        if house is not None and not self.can_write(house[1], house[2]):
            house = None
        return Place(
            address_id=pk,
            code=code,
            division_id=div,
            police_unit_id=pu,
            status=status,
            level=level,
            has_rooms=pk in self._parents,
            house_id=house[0] if house else None,
            house_division_id=house[1] if house else None,
            house_police_unit_id=house[2] if house else None,
        ), ""

    def _match(self, text: str) -> int | None:
        """The address engine (``addresses.matching``) for a text the exact keys missed: its
        match among this user's addresses, AMBIGUOUS, or None. Only a clear match links a row;
        anything less goes to the cleaning queue."""
        from ybss.addresses.matching import AMBIGUOUS as ENGINE_AMBIGUOUS
        from ybss.addresses.matching import MATCHED, current_index

        result = current_index().match(text, allowed=self._by_id, limit=2)
        if result.state == MATCHED and result.best is not None:
            return self._by_id.get(result.best.address_id)
        if result.state == ENGINE_AMBIGUOUS and result.candidates[0].score >= 0.85:
            return AMBIGUOUS
        return None

    def normalise(self, text: str) -> str:
        """The text as the cleaning queue keys it (``addresses.parsing.normalise``)."""
        from ybss.addresses.parsing import normalise

        return normalise(text) or address_key(text, self.prefixes)


class CollectorIndex:
    """Users inside the importing user's jurisdiction, by username and by (unique) full name."""

    def __init__(self, actor: User) -> None:
        prefixes_pu = actor.police_unit.prefix if actor.police_unit is not None else None
        prefixes_div = actor.division.prefix if actor.division is not None else None
        self._by_name: dict[str, int | None] = {}
        self._by_username: dict[str, int] = {}
        for pk, username, full_name, pu, div in User.objects.filter(is_active=True).values_list(
            "id", "username", "full_name", "police_unit_id", "division_id"
        ):
            inside = (prefixes_pu is not None and pu is not None and pu.startswith(prefixes_pu)) or (
                prefixes_div is not None and div is not None and div.startswith(prefixes_div)
            )
            if not inside:
                continue
            self._by_username[username.lower()] = pk
            if full_name:
                self._by_name[full_name] = None if full_name in self._by_name else pk

    def find(self, text: str) -> int | None:
        t = clean(text)
        if not t:
            return None
        return self._by_username.get(t.lower()) or self._by_name.get(t)


def select_in(
    model: type[models.Model],
    columns: Sequence[str],
    field: str,
    values: Sequence[Any],
    *,
    where: dict[str, Any] | None = None,
    chunk: int = 900,
) -> Iterator[dict[str, Any]]:
    """Rows of ``model`` whose ``field`` is one of ``values``, as dicts of ``columns`` (attribute
    names). Raw SQL in chunks: the ORM's per-parameter overhead dominated the import's look-ups."""
    if not values:
        return
    q = connection.ops.quote_name
    meta = model._meta
    fields = [f for f in (meta.get_field(c) for c in columns) if isinstance(f, models.Field)]
    cols = ", ".join(q(column_of(model, c)) for c in columns)
    # The converters the ORM would apply (Decimal and JSON on SQLite, …), so values compare equal
    # to what the import computes.
    converters = []
    for i, f in enumerate(fields):
        col = f.get_col(meta.db_table)
        found = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
        if found:
            converters.append((i, col, found))
    fixed = "".join(f"{q(column_of(model, k))} = %s AND " for k in (where or {}))
    fixed_params = list((where or {}).values())
    column = q(column_of(model, field))
    with connection.cursor() as cur:
        for start in range(0, len(values), chunk):
            part = list(values[start : start + chunk])
            marks = ", ".join(["%s"] * len(part))
            sql = f"SELECT {cols} FROM {q(meta.db_table)} WHERE {fixed}{column} IN ({marks})"
            cur.execute(sql, fixed_params + part)
            for r in cur.fetchall():
                if converters:
                    r = list(r)
                    for i, col, funcs in converters:
                        for func in funcs:
                            r[i] = func(r[i], col, connection)
                yield dict(zip(columns, r, strict=True))
