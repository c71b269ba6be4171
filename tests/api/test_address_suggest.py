"""As-you-type address suggestions and the parse endpoint (issue 4's matcher behind the UI)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_suggestions_find_the_door_plate_in_scope(county, api_for):
    door = county.a.door
    status, body = api_for(county.a.users["officer"]).get(f"/api/addresses/suggest?q={door.full_name}")
    assert status == 200, body
    assert body["candidates"] and body["candidates"][0]["id"] == door.pk
    assert body["candidates"][0]["reason"]  # says why it matched


def test_suggestions_never_name_another_stations_address(county, api_for):
    api = api_for(county.b.users["officer"])
    status, body = api.get(f"/api/addresses/suggest?q={county.a.door.full_name}")
    assert status == 200
    assert county.a.door.pk not in [c["id"] for c in body["candidates"]]
    assert county.a.room.pk not in [c["id"] for c in body["candidates"]]


@pytest.mark.parametrize("q", ["", "x" * 201])
def test_suggest_rejects_bad_queries_with_a_400(county, api_for, q):
    status, _body = api_for(county.a.users["officer"]).get(f"/api/addresses/suggest?q={q}")
    assert status in (400, 422) and status != 500


def test_parse_returns_parts_with_spans(county, api_for):
    text = "陕西省渭南市合阳县城关街道凤凰路18号3号楼2单元501室"
    status, body = api_for(county.a.users["officer"]).get(f"/api/address-parser?q={text}")
    assert status == 200, body
    assert body["values"].get("door_number") == "18"
    assert body["values"].get("room") == "501"
    for span in body["components"]:
        assert text[span["start"] : span["end"]] == span["text"]
