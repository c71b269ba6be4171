"""Keeping the person search index (``PersonKey``) in step with the persons.

``search_index_rebuild`` builds it from scratch in bulk (``ybss search reindex``);
``person_reindex`` renews one person's keys and runs after every committed change of a person
(subscribed in ``SearchConfig.ready`` through ``ybss.core.events``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection, transaction

from ybss.registry.models import Person

from .models import PersonKey
from .query import PersonView, person_keys

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


def search_index_rebuild(*, batch: int = 20_000, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole person index; returns the number of keys written. ``progress`` is
    called with the number of persons done after each batch."""
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


def on_record_changed(record_type: str, record_id: int) -> None:
    """``ybss.core.events`` listener: a changed person gets their keys renewed."""
    if record_type == "registry.person":
        person_reindex(int(record_id))
