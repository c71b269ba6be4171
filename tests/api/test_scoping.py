"""Every list shows only the caller's jurisdiction; every detail is 404 outside it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

#: List path → the Station attribute holding the record that list shows.
LISTS = {"/api/addresses": "door", "/api/houses": "house", "/api/persons": "person", "/api/units": "unit"}


@pytest.mark.parametrize("path, attr", LISTS.items())
@pytest.mark.parametrize("role", ["collector", "officer", "chief"])
def test_list_returns_only_own_station_records(county, api_for, path, attr, role):
    for mine, other in ((county.a, county.b), (county.b, county.a)):
        status, body = api_for(mine.users[role]).get(path, limit=200)
        assert status == 200
        ids = {item["id"] for item in body["items"]}
        assert getattr(mine, attr).pk in ids
        assert getattr(other, attr).pk not in ids
        assert all(item["police_unit"].startswith(mine.station.prefix) for item in body["items"])
        assert body["count"] == len(body["items"])


@pytest.mark.parametrize("path, attr", LISTS.items())
@pytest.mark.parametrize("role", ["collector", "officer", "chief"])
def test_detail_of_other_station_record_is_not_found(county, api_for, path, attr, role):
    for mine, other in ((county.a, county.b), (county.b, county.a)):
        api = api_for(mine.users[role])
        assert api.get(f"{path}/{getattr(mine, attr).pk}")[0] == 200
        status, body = api.get(f"{path}/{getattr(other, attr).pk}")
        assert status == 404
        assert body == {"code": "not_found", "message": body["message"], "fields": {}}


@pytest.mark.parametrize("path", LISTS)
def test_missing_record_looks_like_out_of_scope(county, api_for, path):
    status, body = api_for(county.a.users["officer"]).get(f"{path}/999999")
    assert status == 404 and body["code"] == "not_found"


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("role", ["auditor", "nobody"])
def test_users_without_business_scope_see_nothing(county, api_for, path, role):
    user = county.users[role]
    status, body = api_for(user).get(path, purpose="审计")
    assert status == 200 and body["count"] == 0 and body["items"] == []
    attr = LISTS[path]
    assert api_for(user).get(f"{path}/{getattr(county.a, attr).pk}")[0] == 404


@pytest.mark.parametrize("path", LISTS)
def test_county_supervisor_sees_both_stations(county, api_for, path):
    status, body = api_for(county.users["supervisor"]).get(path)
    assert status == 200
    ids = {item["id"] for item in body["items"]}
    attr = LISTS[path]
    assert {getattr(county.a, attr).pk, getattr(county.b, attr).pk} <= ids


def test_token_user_is_scoped_like_a_session_user(county, token_for, bearer_api):
    api = bearer_api(token_for(county.a.users["officer"]))
    assert api.get(f"/api/persons/{county.b.person.pk}")[0] == 404
    assert {i["id"] for i in api.get("/api/persons")[1]["items"]} == {county.a.person.pk}


def test_me_reports_role_jurisdiction_and_counts(county, api_for):
    status, body = api_for(county.a.users["officer"]).get("/api/me")
    assert status == 200
    assert body["role"] == "officer" and body["role_label"]
    assert body["police_unit"] == {"code": county.a.district.code, "name": county.a.district.name}
    assert body["division"] is None
    assert body["counts"] == {"addresses": 2, "houses": 1, "persons": 1, "units": 1}
    assert body["sees_full_identifiers"] is True


def test_me_for_auditor_counts_nothing(county, api_for):
    body = api_for(county.users["auditor"]).get("/api/me")[1]
    assert body["counts"] == {"addresses": 0, "houses": 0, "persons": 0, "units": 0}
    assert body["police_unit"] is None
