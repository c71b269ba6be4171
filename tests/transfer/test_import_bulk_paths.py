"""The importer's bulk paths: one-call row normalisation, and deferred indexes on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from tests.transfer.test_import_support import dump, person_row, write_csv
from ybss.registry.models import Person, Residence
from ybss.transfer.importing import ImportOptions, run_import, write
from ybss.transfer.importing.parse import clean, clean_all

PIECES = ["a", " ", "\u3000", "张", "１", "\u200b", "\x1f", "e\u0301", "ｱ", "\ufeff", "\t"]
CELL = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)


@given(st.lists(CELL, min_size=1, max_size=8))
def test_cleaning_a_row_at_once_equals_cleaning_each_cell(cells):
    assert clean_all(cells) == [clean(c) for c in cells]


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
            [table],
        )
        return {r[0] for r in cur.fetchall()}


sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="deferral is SQLite-only")


@pytest.fixture
def low_threshold(monkeypatch):
    monkeypatch.setattr(write, "DEFER_MIN_ROWS", 1)


@sqlite_only
@pytest.mark.django_db
def test_deferred_indexes_are_rebuilt_and_a_rollback_keeps_them(low_threshold):
    table = Person._meta.db_table
    before = _indexes(table)
    assert before  # the schema has secondary indexes
    with transaction.atomic():
        deferred = write.DeferredIndexes()
        assert deferred.defer(Person, 10)
        assert _indexes(table) == set()
        deferred.rebuild()
        assert _indexes(table) == before
    with pytest.raises(RuntimeError), transaction.atomic():
        write.DeferredIndexes().defer(Person, 10)
        assert _indexes(table) == set()
        raise RuntimeError("the import failed")
    assert _indexes(table) == before


@pytest.mark.django_db
def test_deferral_needs_many_rows_and_a_large_share():
    with transaction.atomic():
        assert not write.DeferredIndexes().defer(Person, 10)  # under DEFER_MIN_ROWS


@sqlite_only
@pytest.mark.django_db
def test_an_import_with_deferred_indexes_writes_the_same_and_keeps_the_schema(
    county, tmp_path, low_threshold
):
    before = {t: _indexes(t) for t in (Person._meta.db_table, Residence._meta.db_table)}
    actor = county.a.users["officer"]
    path = write_csv(tmp_path / "p.csv", [person_row(n) for n in range(1, 6)])
    report = run_import(actor=actor, kind="persons", path=path, options=ImportOptions())
    assert report.state == "written", report.issues
    assert Person.objects.filter(source_ref__startswith="SRC-").count() == 5
    assert {t: _indexes(t) for t in before} == before


@sqlite_only
@pytest.mark.django_db
def test_a_unique_index_that_fails_to_rebuild_aborts_the_import(county, tmp_path, low_threshold, monkeypatch):
    """Validation normally rules this out; if two rows still collide, rebuilding the UNIQUE index
    raises and nothing is written."""
    before = dump()
    real = write.DeferredIndexes.rebuild

    def rebuild_after_a_collision(self):
        with connection.cursor() as cur:  # a second active residence at the same house
            cols = ", ".join(c for c in _columns("registry_residence") if c != "id")
            cur.execute(
                f"INSERT INTO registry_residence ({cols}) SELECT {cols} FROM registry_residence "
                "ORDER BY id DESC LIMIT 1"
            )
        real(self)

    monkeypatch.setattr(write.DeferredIndexes, "rebuild", rebuild_after_a_collision)
    path = write_csv(tmp_path / "p.csv", [person_row(1)])
    report = run_import(actor=county.a.users["officer"], kind="persons", path=path, options=ImportOptions())
    assert report.state == "rejected"
    assert dump() == before


def _columns(table: str) -> list[str]:
    with connection.cursor() as cur:
        return [c.name for c in connection.introspection.get_table_description(cur, table)]
