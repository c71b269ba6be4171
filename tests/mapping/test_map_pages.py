"""The map page and the county admin's boundary page."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.mapping.conftest import A_CENTRE, feature_collection, square
from ybss.mapping.models import Boundary

pytestmark = pytest.mark.django_db

MAP = "/map/"
BOUNDARIES = "/map/boundaries/"


def test_map_page_shows_the_rate_and_the_filters(county, client_for):
    r = client_for(county.a.users["officer"]).get(MAP)
    assert r.status_code == 200
    html = r.content.decode()
    assert "标准地址标注率" in html and "0.00%" in html
    assert 'data-rate="numerator">0<' in html and 'data-rate="denominator">2<' in html
    assert county.a.village.code in html and county.a.district.code in html
    assert county.b.village.code not in html and county.b.district.code not in html
    assert (
        "vendor/leaflet/leaflet.js" in html
        and "vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    )
    assert "http://" not in html.split("<main", 1)[1] and "https://" not in html.split("<main", 1)[1]
    config = json.loads(html.split('id="map-config" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert config["tileUrl"] == "" and config["api"]["mark"] == "/api/map/addresses/{id}/mark"


def test_map_page_uses_the_configured_tile_server(county, client_for, settings):
    settings.YBSS_MAP_TILE_URL = "https://tiles.gaj.local/{z}/{x}/{y}.png"
    settings.YBSS_MAP_TILE_SYSTEM = "GCJ02"
    html = client_for(county.a.users["officer"]).get(MAP).content.decode()
    assert "tiles.gaj.local" in html and 'value="GCJ02" selected' in html and "map-plain" not in html


def test_menu_links_to_the_map(county, client_for):
    html = client_for(county.a.users["collector"]).get("/").content.decode()
    assert 'href="/map/"' in html


@pytest.mark.parametrize("who", ["auditor", "nobody"])
def test_users_without_business_access_are_refused(county, client_for, who):
    assert client_for(county.users[who]).get(MAP).status_code == 403


def test_only_admins_see_the_boundary_link_and_page(county, client_for):
    assert BOUNDARIES in client_for(county.users["admin"]).get(MAP).content.decode()
    assert BOUNDARIES not in client_for(county.a.users["chief"]).get(MAP).content.decode()
    for user in (county.a.users["chief"], county.users["supervisor"], county.users["auditor"]):
        assert client_for(user).get(BOUNDARIES).status_code == 403
        assert client_for(user).post(BOUNDARIES, {"delete": 1}).status_code == 403


def _upload(client, text, **fields):
    data = {"division_code": "", "police_unit_code": "", "system": "WGS84", "reason": "", **fields}
    data["file"] = SimpleUploadedFile("b.geojson", text.encode() if isinstance(text, str) else text)
    return client.post(BOUNDARIES, data)


def test_admin_uploads_replaces_and_removes_a_boundary(county, client_for):
    admin = client_for(county.users["admin"])
    assert admin.get(BOUNDARIES).status_code == 200
    r = _upload(admin, feature_collection(square(*A_CENTRE)), division_code=county.a.village.code)
    assert r.status_code == 302 and r["Location"] == reverse("web:mapping:boundaries")
    r = _upload(
        admin, json.dumps(square(*A_CENTRE, 0.03)), division_code=county.a.village.code, system="GCJ02"
    )
    b = Boundary.objects.get()
    assert (b.version, b.drawn_in, b.source) == (2, "GCJ02", "b.geojson")
    html = admin.get(BOUNDARIES).content.decode()
    assert "金水社区" in html
    assert admin.post(BOUNDARIES, {"delete": b.pk}).status_code == 302
    assert not Boundary.objects.exists()
    assert admin.post(BOUNDARIES, {"delete": b.pk}).status_code == 404


@pytest.mark.parametrize(
    "text,fields,field_word",
    [
        ("{]", {"division_code": "610524001003"}, "GeoJSON"),
        (json.dumps(square(35.24, 110.15)), {"division_code": "610524001003"}, "经度"),
        (json.dumps(square(*A_CENTRE)), {}, "行政区划"),
        (
            json.dumps(square(*A_CENTRE)),
            {"division_code": "610524001003", "police_unit_code": "610524501001"},
            "行政区划",
        ),
        (json.dumps(square(*A_CENTRE)), {"division_code": "999"}, "选择"),
    ],
)
def test_bad_uploads_show_chinese_field_errors(county, client_for, text, fields, field_word):
    r = _upload(client_for(county.users["admin"]), text, **fields)
    assert r.status_code == 400
    html = r.content.decode()
    assert 'class="field-error"' in html and field_word in html
    assert not Boundary.objects.exists()


hostile = st.one_of(
    st.text(max_size=60),
    st.binary(max_size=60),
    st.sampled_from(
        ["", "null", "{}", "[]", '{"type":"Polygon","coordinates":[[[1e309,2],[3,4]]]}', "\x00" * 10]
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_garbage_uploads_never_500(county, client_for, data):
    admin = client_for(county.users["admin"])
    fields = {
        k: data.draw(st.one_of(st.text(max_size=20), st.sampled_from(["610524001003", "WGS84", "GCJ02"])))
        for k in ("division_code", "police_unit_code", "system", "reason")
    }
    r = _upload(admin, data.draw(hostile), **fields)
    assert r.status_code in (302, 400)
    if r.status_code == 400:
        assert 'class="field-error"' in r.content.decode() or "alert-error" in r.content.decode()
    garbage_delete = admin.post(BOUNDARIES, {"delete": data.draw(st.text(max_size=10))})
    assert garbage_delete.status_code in (302, 404)
