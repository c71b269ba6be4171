"""As-you-type suggestions (``addresses.suggest`` behind ``GET /api/addresses/suggest``): a prefix
completes to places and addresses, ranked; only the caller's jurisdiction; bad input is a 400.

The data are the shared two-station county with the streets of ``suggest_data`` (凤凰路 and
金水小区 in station a, 凤凰街 and 甘井村3组 in station b).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from tests.addresses.suggest_data import add_streets
from ybss.addresses import matching, suggest
from ybss.addresses.models import StandardAddress
from ybss.core.models import RecordStatus

pytestmark = pytest.mark.django_db

URL = "/api/addresses/suggest"


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def streets(county):
    found = add_streets(county)
    yield found
    matching.invalidate()


def names(found: suggest.Suggestions | suggest.Completions) -> list[str]:
    items = found.candidates if isinstance(found, suggest.Suggestions) else found.addresses
    return [s.full_name.removeprefix("陕西省").removeprefix("渭南市").removeprefix("合阳县") for s in items]


def place_texts(found: suggest.Suggestions | suggest.Completions) -> list[str]:
    return [p.text for p in found.places]


def get(client: Client, q: str, **params: object) -> tuple[int, dict]:
    response = client.get(URL, {"q": q, **params})
    return response.status_code, response.json()


# -- prefixes ---------------------------------------------------------------------------------


def test_a_street_name_being_typed_offers_the_street_and_its_door_plates(county, streets):
    found = suggest.suggest("凤凰", actor=county.a.users["officer"], limit=5)
    assert place_texts(found) == ["凤凰路"]
    assert found.places[0].kind == "road" and found.places[0].count == 6
    assert found.places[0].reason == "街路巷前缀：凤凰"
    assert names(found) == [f"城关街道凤凰路{n}号" for n in (1, 2, 10, 12, 21)]


def test_a_street_and_the_start_of_a_door_number_offer_those_door_plates_shortest_first(county, streets):
    found = suggest.suggest("凤凰路1", actor=county.a.users["officer"], limit=5)
    assert names(found)[:3] == ["城关街道凤凰路1号", "城关街道凤凰路10号", "城关街道凤凰路12号"]
    assert "城关街道凤凰路2号" not in names(found) and "城关街道凤凰路21号" not in names(found)
    assert names(found)[3] == "城关街道凤凰路1号1单元101室"  # door plates before rooms
    first, second = found.candidates[0], found.candidates[1]
    assert first.kind == "match"  # the text names 凤凰路1号: the matcher's candidate leads
    assert second.kind == "prefix" and second.reason == "街路巷前缀：凤凰路1"
    assert second.full_name[slice(*second.highlight[0])] == "凤凰路1"


def test_a_compound_and_a_digit_offer_its_buildings(county, streets):
    found = suggest.complete("金水小区3", actor=county.a.users["officer"], limit=6)
    assert names(found)[:2] == ["城关街道东新街1号金水小区3号楼", "城关街道东新街1号金水小区30号楼"]
    assert names(found)[2:] == [
        "城关街道东新街1号金水小区3号楼1单元101室",
        "城关街道东新街1号金水小区3号楼1单元102室",
    ]
    assert "城关街道东新街1号金水小区13号楼" not in names(found)  # contains "3", but not at the start
    assert found.addresses[0].reason == "小区（院）前缀：金水小区3"


def test_a_township_name_offers_the_township_and_its_communities_and_streets(county, streets):
    found = suggest.complete("城关", actor=county.users["supervisor"], limit=5)
    assert place_texts(found)[0] == "城关街道"
    assert found.places[0].kind == "town"
    children = place_texts(found)[1:]
    assert children[0] == "城关街道金水社区"  # communities first, then streets and compounds
    assert {"城关街道凤凰路", "城关街道东新街"} <= set(children)
    assert all(p.reason.startswith("城关街道下的") for p in found.places[1:])
    assert not any("甘井" in t for t in place_texts(found))
    assert all(n.startswith("城关街道") for n in names(found))


def test_the_township_typed_in_full_goes_on_into_its_streets(county, streets):
    found = suggest.complete("城关街道凤凰路1", actor=county.a.users["officer"], limit=3)
    assert names(found) == ["城关街道凤凰路1号", "城关街道凤凰路10号", "城关街道凤凰路12号"]
    found = suggest.complete("城关街道凤", actor=county.a.users["officer"], limit=3)
    assert place_texts(found) == ["城关街道凤凰路"]


def test_a_village_name_offers_its_groups(county, streets):
    found = suggest.complete("甘井村", actor=county.b.users["officer"], limit=5)
    assert "甘井村3组" in place_texts(found)
    found = suggest.complete("甘井村3组1", actor=county.b.users["officer"], limit=5)
    assert names(found) == ["甘井镇甘井村3组15号"]


@pytest.mark.parametrize("typed", ["fhl", "FHL", "fenghuang", "fenghuangl"])
def test_pinyin_and_its_initials_complete_a_street(county, streets, typed):
    found = suggest.complete(typed, actor=county.a.users["officer"], limit=5)
    assert place_texts(found) == ["凤凰路"]
    assert found.addresses and all(n.startswith("城关街道凤凰路") for n in names(found))
    assert found.addresses[0].kind == "pinyin" and "凤凰路" in found.addresses[0].reason


def test_pinyin_initials_and_a_digit(county, streets):
    found = suggest.complete("fhl1", actor=county.a.users["officer"], limit=3)
    assert names(found) == ["城关街道凤凰路1号", "城关街道凤凰路10号", "城关街道凤凰路12号"]


def test_the_start_of_an_address_code(county, streets):
    address = streets["城关街道凤凰路10号"]
    found = suggest.complete(address.code[:-1], actor=county.a.users["officer"], limit=20)
    assert address.pk in [s.address_id for s in found.addresses]
    assert {s.kind for s in found.addresses} == {"code"}


def test_text_inside_a_name_fills_up_after_the_prefixes(county, streets):
    found = suggest.complete("1单元102", actor=county.a.users["officer"], limit=5)
    assert names(found) == ["城关街道东新街1号金水小区3号楼1单元102室"]
    hit = found.addresses[0]
    assert hit.kind == "contains" and hit.reason == "名称包含：1单元102"
    assert hit.full_name[slice(*hit.highlight[0])] == "1单元102"


def test_full_width_traditional_and_the_county_name_are_read_as_typed(county, streets):
    found = suggest.complete("合阳县 鳳凰路１", actor=county.a.users["officer"], limit=3)
    assert names(found) == ["城关街道凤凰路1号", "城关街道凤凰路10号", "城关街道凤凰路12号"]


def test_a_voided_address_is_not_suggested_and_a_new_one_is_at_once(county, streets):
    officer = county.a.users["officer"]
    assert "城关街道凤凰路12号" in names(suggest.complete("凤凰路1", actor=officer))
    voided = streets["城关街道凤凰路12号"]
    voided.status = RecordStatus.VOIDED
    voided.save()
    assert "城关街道凤凰路12号" not in names(suggest.complete("凤凰路1", actor=officer))
    StandardAddress.objects.filter(pk=voided.pk).update(status=RecordStatus.ACCEPTED)  # bulk write
    matching.invalidate()
    assert "城关街道凤凰路12号" in names(suggest.complete("凤凰路1", actor=officer))


def test_the_index_is_built_once_and_shared(county, streets):
    officer = county.a.users["officer"]
    suggest.complete("凤凰", actor=officer)
    index, view = suggest.current_index(), suggest.view_for(officer)
    suggest.complete("凤凰路1", actor=officer)
    assert suggest.current_index() is index and suggest.view_for(officer) is view


def test_nothing_typed_or_nothing_readable_completes_to_nothing(county, streets):
    for text in ("", "   ", "！！", "·"):
        found = suggest.complete(text, actor=county.a.users["officer"])
        assert (found.places, found.addresses) == ([], [])


# -- scope ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["凤凰", "fh", "fenghuang", "甘井", "凤凰街1", "3组", "610524101201"])
def test_a_collector_never_gets_another_stations_addresses_or_places(county, streets, typed):
    collector = county.a.users["collector"]
    found = suggest.suggest(typed, actor=collector, limit=20)
    theirs = {a.pk for a in streets.b.values()} | {county.b.door.pk, county.b.room.pk}
    assert not theirs & {s.address_id for s in found.candidates}
    assert not any("凤凰街" in p.text or "甘井" in p.text for p in found.places)


def test_each_station_completes_to_its_own_street(county, streets, client_for):
    for station, street in ((county.a, "凤凰路"), (county.b, "凤凰街")):
        status, body = get(client_for(station.users["collector"]), "凤凰", limit=10)
        assert status == 200, body
        assert [p["text"] for p in body["places"]] == [street]
        assert body["candidates"] and all(street in c["full_name"] for c in body["candidates"])
        own = {a.pk for a in (streets.a if station is county.a else streets.b).values()}
        assert {c["id"] for c in body["candidates"]} <= own


def test_the_county_supervisor_gets_both_streets(county, streets):
    found = suggest.complete("凤凰", actor=county.users["supervisor"], limit=10)
    assert set(place_texts(found)) == {"凤凰路", "凤凰街"}


def test_a_user_without_jurisdiction_gets_nothing(county, streets, client_for):
    status, body = get(client_for(county.users["nobody"]), "凤凰")
    assert status == 200
    assert (body["candidates"], body["places"]) == ([], [])


# -- the endpoint -----------------------------------------------------------------------------


def test_the_endpoint_answers_places_and_highlighted_candidates(county, streets, client_for):
    status, body = get(client_for(county.a.users["officer"]), "凤凰路1")
    assert status == 200, body
    assert set(body) == {"state", "candidates", "parent_id", "values", "places"}
    first = body["candidates"][0]
    assert set(first) == {"id", "code", "full_name", "score", "reason", "kind", "level", "highlight"}
    assert first["full_name"].endswith("城关街道凤凰路1号") and first["level"] == "door"
    assert body["candidates"][1]["full_name"].endswith("城关街道凤凰路10号")
    assert body["candidates"][2]["full_name"].endswith("城关街道凤凰路12号")
    start, end = body["candidates"][1]["highlight"][0]
    assert body["candidates"][1]["full_name"][start:end] == "凤凰路1"
    assert body["values"] == {"road": "凤凰路", "door_number": "1"}


def test_the_endpoint_honours_the_limit(county, streets, client_for):
    status, body = get(client_for(county.a.users["officer"]), "凤凰", limit=2)
    assert status == 200 and len(body["candidates"]) == 2


def test_the_endpoint_runs_a_bounded_number_of_queries(
    county, streets, client_for, django_assert_max_num_queries
):
    client = client_for(county.a.users["officer"])
    get(client, "凤凰")  # builds the index and the officer's view
    with django_assert_max_num_queries(10):
        status, _body = get(client, "凤凰路1")
    assert status == 200


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "x" * 201,
        "凤" * 201,
        "凤凰\x00",
        "凤\x07凰",
        "\x1b[31m凤凰",
        "凤凰\n路",
        "\x7f凤凰",
        "凤凰\x85",
    ],
    ids=["empty", "spaces", "201 ascii", "201 cjk", "nul", "bell", "escape", "newline", "del", "c1"],
)
def test_bad_text_is_a_400_with_the_common_error_body(county, client_for, q):
    status, body = get(client_for(county.a.users["officer"]), q)
    assert status == 400, body
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "invalid" and list(body["fields"]) == ["q"]


@pytest.mark.parametrize("limit", ["0", "21", "x", "-1", "1e9"])
def test_a_bad_limit_is_a_400(county, client_for, limit):
    status, body = get(client_for(county.a.users["officer"]), "凤凰", limit=limit)
    assert status == 400 and body["code"] == "invalid" and list(body["fields"]) == ["limit"]


def test_a_missing_text_is_a_400(county, client_for):
    response = client_for(county.a.users["officer"]).get(URL)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and list(response.json()["fields"]) == ["q"]


@pytest.mark.parametrize(
    "q",
    [
        "凤" * 200,
        "'; DROP TABLE x; --",
        "%",
        "_",
        "😀凤凰",
        "\u200b凤凰",
        "凤凰路\u3000１０",
        "<script>",
        "6105",
    ],
)
def test_odd_but_valid_text_is_answered(county, streets, client_for, q):
    status, body = get(client_for(county.a.users["officer"]), q)
    assert status == 200, body
    assert isinstance(body["candidates"], list) and isinstance(body["places"], list)


def test_signed_out_is_a_401(county):
    status, body = get(Client(), "凤凰")
    assert status == 401 and body["code"] == "unauthenticated"


def test_the_schema_documents_the_new_fields(county, client_for):
    schema = client_for(county.a.users["officer"]).get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    assert {"places", "candidates", "state", "parent_id", "values"} <= set(
        components["SuggestOut"]["properties"]
    )
    assert set(components["SuggestOut"]["required"]) == {"state", "candidates", "values"}
    assert {"kind", "level", "highlight"} <= set(components["SuggestionOut"]["properties"])
    assert {"text", "label", "count", "reason"} <= set(components["PlaceOut"]["properties"])
    params = {p["name"] for p in schema["paths"][URL]["get"]["parameters"]}
    assert params == {"q", "limit"}
