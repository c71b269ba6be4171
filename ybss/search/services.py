"""Keeping the search indexes (``PersonKey``, ``AddressKey``) in step with the records.

``search_index_rebuild`` builds both from scratch in bulk (``ybss search reindex``, the demo);
``person_reindex`` / ``address_reindex`` renew one record's keys and run after every committed
change of a person or a standard address (subscribed in ``SearchConfig.ready`` through
``ybss.core.events``). Units need no index: a county has a few hundred, read by a scoped query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection, transaction

from ybss.addresses.models import StandardAddress
from ybss.core.models import RecordStatus
from ybss.registry.models import Person

from . import places
from .models import AddressKey, PersonKey
from .query import PersonView, person_keys
from .selectors import county_chain

_FIELDS = ("pk", "id_number", "name", "former_names", "phone", "phone2", "birth_date")
_INSERT = "INSERT INTO search_personkey (person_id, kind, key) VALUES (%s, %s, %s)"


def _rows(people: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, str, str]]:
    for pk, idn, name, former, phone, phone2, birth in people:
        view = PersonView(idn or "", name or "", former or "", phone or "", phone2 or "", birth)
        for kind, key in person_keys(view):
            yield pk, kind, key


#: The lookup index, dropped during a rebuild and made again after (much faster than keeping a
#: B-tree in step with millions of inserts); the same SQL on SQLite and PostgreSQL.
_LOOKUP_INDEX = "search_pkey_lookup_idx"
_CREATE_LOOKUP = f"CREATE INDEX {_LOOKUP_INDEX} ON search_personkey (kind, key, person_id)"
_PERSON_INDEX = "search_pkey_person_idx"
_CREATE_PERSON = f"CREATE INDEX {_PERSON_INDEX} ON search_personkey (person_id)"


def _insert(cur: Any, rows: list[tuple[int, str, str]]) -> None:
    if connection.vendor == "postgresql":
        with cur.cursor.copy("COPY search_personkey (person_id, kind, key) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)
    else:
        cur.executemany(_INSERT, rows)


def search_index_rebuild(
    *,
    batch: int = 20_000,
    progress: Callable[[int], None] | None = None,
    address_progress: Callable[[int], None] | None = None,
) -> int:
    """Rebuild the person and the address index; returns the number of keys written.
    ``progress`` is called with the number of persons done after each batch, ``address_progress``
    with the number of addresses (both counts of that batch, not running totals)."""
    keys = person_index_rebuild(batch=batch, progress=progress) + address_index_rebuild(
        batch=batch, progress=address_progress
    )
    _refresh_statistics()
    return keys


def _refresh_statistics() -> None:
    """After a rebuild, give the planner the new tables' statistics and, on PostgreSQL, set the
    visibility map (VACUUM) so that lookups are index-only scans at once rather than after
    autovacuum comes round (halves the address search on a freshly built county). VACUUM cannot
    run inside a transaction: inside one (tests, a caller's atomic block) only ANALYZE runs."""
    tables = ("search_personkey", "search_addresskey")
    with connection.cursor() as cur:
        for table in tables:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cur.execute(f"VACUUM (ANALYZE) {table}")
            else:
                cur.execute(f"ANALYZE {table}")


def person_index_rebuild(*, batch: int = 20_000, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole person index; returns the number of keys written."""
    total = 0
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DROP INDEX IF EXISTS {_LOOKUP_INDEX}")
        cur.execute(f"DROP INDEX IF EXISTS {_PERSON_INDEX}")
        cur.execute("DELETE FROM search_personkey")
        last = 0
        while True:
            chunk = list(Person.objects.filter(pk__gt=last).order_by("pk").values_list(*_FIELDS)[:batch])
            if not chunk:
                break
            last = chunk[-1][0]
            rows = list(_rows(chunk))
            _insert(cur, rows)
            total += len(rows)
            if progress is not None:
                progress(len(chunk))
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred FK checks before the DDL
        cur.execute(_CREATE_LOOKUP)
        cur.execute(_CREATE_PERSON)
    return total


def person_reindex(person_id: int) -> None:
    """Renew one person's keys (none when the person is gone)."""
    people = list(Person.objects.filter(pk=person_id).values_list(*_FIELDS))
    with transaction.atomic():
        PersonKey.objects.filter(person_id=person_id).delete()
        PersonKey.objects.bulk_create(
            PersonKey(person_id=pk, kind=kind, key=key) for pk, kind, key in _rows(people)
        )


_ADDRESS_LOOKUP = "search_akey_lookup_idx"
_CREATE_ADDRESS_LOOKUP = f"CREATE INDEX {_ADDRESS_LOOKUP} ON search_addresskey (pair, next, address_id)"
_ADDRESS_INDEX = "search_akey_address_idx"
_CREATE_ADDRESS_INDEX = f"CREATE INDEX {_ADDRESS_INDEX} ON search_addresskey (address_id)"
_ADDRESS_INSERT = "INSERT INTO search_addresskey (address_id, pair, next) VALUES (%s, %s, %s)"


def _live_addresses() -> Any:
    """The addresses the index holds: not voided, not merged into another."""
    return StandardAddress.objects.exclude(status=RecordStatus.VOIDED).filter(merged_into__isnull=True)


def _address_rows(chunk: Iterable[tuple[int, str]], chain: list[str]) -> Iterator[tuple[int, str, str]]:
    for pk, name in chunk:
        for pair, nxt in places.address_keys(places.stored_tail(name or "", chain)):
            yield pk, pair, nxt


def address_index_rebuild(*, batch: int = 20_000, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole address index; returns the number of keys written."""
    total = 0
    chain = county_chain()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DROP INDEX IF EXISTS {_ADDRESS_LOOKUP}")
        cur.execute(f"DROP INDEX IF EXISTS {_ADDRESS_INDEX}")
        cur.execute("DELETE FROM search_addresskey")
        last = 0
        while True:
            chunk = list(
                StandardAddress.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "full_name", "status", "merged_into_id")[:batch]
            )
            if not chunk:
                break
            last = chunk[-1][0]
            live = [
                (pk, name)
                for pk, name, status, merged in chunk
                if status != RecordStatus.VOIDED and merged is None
            ]
            rows = list(_address_rows(live, chain))
            if connection.vendor == "postgresql":
                with cur.cursor.copy("COPY search_addresskey (address_id, pair, next) FROM STDIN") as cp:
                    for row in rows:
                        cp.write_row(row)
            else:
                cur.executemany(_ADDRESS_INSERT, rows)
            total += len(rows)
            if progress is not None:
                progress(len(chunk))
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(_CREATE_ADDRESS_LOOKUP)
        cur.execute(_CREATE_ADDRESS_INDEX)
    return total


def address_reindex(address_id: int) -> None:
    """Renew one address's keys (none when it is gone, voided or merged)."""
    chunk = list(_live_addresses().filter(pk=address_id).values_list("pk", "full_name"))
    with transaction.atomic():
        AddressKey.objects.filter(address_id=address_id).delete()
        AddressKey.objects.bulk_create(
            AddressKey(address_id=pk, pair=pair, next=nxt)
            for pk, pair, nxt in _address_rows(chunk, county_chain())
        )


def on_record_changed(record_type: str, record_id: int) -> None:
    """``ybss.core.events`` listener: a changed person or standard address gets its keys renewed."""
    if record_type == "registry.person":
        person_reindex(int(record_id))
    elif record_type == "addresses.standardaddress":
        address_reindex(int(record_id))
