"""List endpoints cost the same number of queries for 1 row as for 20 (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AddressFactory, HouseFactory, PersonFactory, ResidenceFactory, UnitFactory

pytestmark = pytest.mark.django_db

#: Path, query parameters (the person search is audited: a few more queries, still constant).
LISTS = [
    ("/api/addresses", {}),
    ("/api/houses", {}),
    ("/api/persons", {}),
    ("/api/persons", {"q": "张"}),
    ("/api/units", {}),
    ("/api/units", {"special_trade": "*"}),
]

#: Session, user and its hierarchy, count, page, code labels, audit: well under this.
MAX_QUERIES = 12


def _grow(station, n: int) -> None:
    stamp = {"division": station.village, "police_unit": station.district}
    for _ in range(n):
        door = AddressFactory(road=station.road, **stamp)
        house = HouseFactory(address=door, **stamp)
        person = PersonFactory(**stamp)
        ResidenceFactory(person=person, house=house, **stamp)
        UnitFactory(address=door, house=house, special_trade="hotel", hazards=["hazardous_chemical"], **stamp)


def _queries(api, path, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        status, body = api.get(path, limit=200, **params)
    assert status == 200, body
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path, params", LISTS)
def test_list_query_count_does_not_grow_with_rows(
    county, api_for, path, params, django_assert_max_num_queries
):
    api = api_for(county.a.users["officer"])
    _grow(county.a, 1)  # every list (and filter) matches at least one row
    _queries(api, path, params)  # warm the code-label cache
    few = _queries(api, path, params)
    _grow(county.a, 20)
    many = _queries(api, path, params)
    assert many == few
    with django_assert_max_num_queries(MAX_QUERIES):
        status, body = api.get(path, limit=200, **params)
    assert status == 200 and len(body["items"]) >= 21
