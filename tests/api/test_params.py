"""Bad input answers 400 with field errors in the common body, never 500."""

from __future__ import annotations

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db

LISTS = ["/api/addresses", "/api/houses", "/api/persons", "/api/units"]

BAD_PAGING = [
    ({"limit": "-1"}, "limit"),
    ({"limit": "0"}, "limit"),
    ({"limit": "201"}, "limit"),
    ({"limit": "abc"}, "limit"),
    ({"limit": "1.5"}, "limit"),
    ({"offset": "-1"}, "offset"),
    ({"offset": str(10**30)}, "offset"),
    ({"offset": "x"}, "offset"),
    ({"status": "nonsense"}, "status"),
    ({"police_unit": "abc"}, "police_unit"),
    ({"q": "x" * 101}, "q"),
]

BAD_FILTERS = {
    "/api/addresses": [
        ({"level": "tower"}, "level"),
        ({"mark_state": "x"}, "mark_state"),
        ({"clean_state": "x"}, "clean_state"),
        ({"division": "61-05"}, "division"),
    ],
    "/api/houses": [
        ({"use": "castle"}, "use"),
        ({"house_type": "igloo"}, "house_type"),
        ({"verify_state": "x"}, "verify_state"),
        ({"management_level": "Z"}, "management_level"),
    ],
    "/api/persons": [
        ({"sex": "7"}, "sex"),
        ({"residence_type": "x"}, "residence_type"),
        ({"separated": "maybe"}, "separated"),
        ({"purpose": "x" * 201}, "purpose"),
    ],
    "/api/units": [
        ({"category": "x"}, "category"),
        ({"special_trade": "bakery"}, "special_trade"),
        ({"hazardous": "perhaps"}, "hazardous"),
        ({"verify_state": "x"}, "verify_state"),
    ],
}


def _assert_field_error(status, body, field):
    assert status == 400, body
    assert body["code"] == "invalid" and body["message"]
    assert list(body["fields"]) == [field]
    assert all(isinstance(m, str) and m for m in body["fields"][field])


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "params, field", BAD_PAGING, ids=[f"{f}={next(iter(p.values()))[:8]}" for p, f in BAD_PAGING]
)
def test_bad_paging_and_common_filters_are_field_errors(county, api_for, path, params, field):
    _assert_field_error(*api_for(county.a.users["officer"]).get(path, **params), field)


@pytest.mark.parametrize(
    "path, params, field", [(p, params, f) for p, cases in BAD_FILTERS.items() for params, f in cases]
)
def test_bad_filter_values_are_field_errors(county, api_for, path, params, field):
    _assert_field_error(*api_for(county.a.users["officer"]).get(path, **params), field)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("pk", ["abc", "0", "-3", str(2**63), "1.5"])
def test_bad_record_ids_are_never_500(county, api_for, path, pk):
    status, body = api_for(county.a.users["officer"]).get(f"{path}/{pk}")
    assert status in (400, 404), body
    assert body["code"] in ("invalid", "not_found")


@pytest.mark.parametrize("path", LISTS)
def test_offset_past_the_end_is_an_empty_page(county, api_for, path):
    status, body = api_for(county.a.users["officer"]).get(path, offset=1_000_000, limit=200)
    assert status == 200 and body["items"] == [] and body["count"] >= 1
    assert (body["limit"], body["offset"]) == (200, 1_000_000)


@pytest.mark.parametrize("path", LISTS)
def test_empty_parameters_mean_no_filter(county, api_for, path):
    api = api_for(county.a.users["officer"])
    assert api.get(path, status="", q="", police_unit="")[1]["count"] == api.get(path)[1]["count"]


def test_valid_filters_are_accepted(county, api_for):
    api = api_for(county.users["supervisor"])
    assert api.get("/api/units", special_trade="*")[1]["count"] == 0
    assert api.get("/api/units", category="enterprise", hazardous="true")[1]["count"] == 0
    assert api.get("/api/houses", use="self", house_type="bungalow")[1]["count"] == 2
    assert api.get("/api/addresses", level="room")[1]["count"] == 2


def test_field_messages_are_short_chinese_phrases(county, api_for):
    api = api_for(county.a.users["officer"])
    with translation.override("zh-hans"):
        assert api.get("/api/houses", limit="abc")[1]["fields"] == {"limit": ["格式不正确"]}
        assert api.get("/api/houses", limit="500")[1]["fields"] == {"limit": ["不能大于200"]}
        assert api.post("/api/tokens", {})[1]["fields"] == {"name": ["必填"]}


def test_malformed_json_body_is_400(county, client_for):
    response = client_for(county.a.users["officer"]).post(
        "/api/tokens", "{not json", content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_unexpected_errors_are_500_server_error_and_logged_without_the_query(
    county, api_for, monkeypatch, caplog
):
    from ybss.addresses import selectors

    def boom(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "address_list", boom)
    logger = __import__("logging").getLogger("ybss.api")
    monkeypatch.setattr(logger, "propagate", True)
    status, body = api_for(county.a.users["officer"]).get("/api/addresses", q="61052419800101001X")
    assert status == 500 and body == {"code": "server_error", "message": body["message"], "fields": {}}
    [record] = [r for r in caplog.records if r.name == "ybss.api"]
    assert "/api/addresses" in record.getMessage() and "610524" not in record.getMessage()
