"""Drawn boundaries: reading GeoJSON, saving and replacing them, and the marking check."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from tests.mapping.conftest import A_CENTRE, B_CENTRE, HALF, feature_collection, square
from ybss.addresses.coords import from_wgs84
from ybss.addresses.models import MarkState
from ybss.addresses.services import address_mark
from ybss.audit.models import RecordHistory
from ybss.core.errors import Forbidden, InvalidInput
from ybss.mapping import geometry
from ybss.mapping.models import Boundary
from ybss.mapping.services import boundary_delete, boundary_save

# ---- reading GeoJSON (pure) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(square(*A_CENTRE)),
        json.dumps({"type": "Feature", "properties": {}, "geometry": square(*A_CENTRE)}),
        feature_collection(square(*A_CENTRE)),
        json.dumps({"type": "MultiPolygon", "coordinates": [square(*A_CENTRE)["coordinates"]]}),
    ],
    ids=["polygon", "feature", "collection", "multipolygon"],
)
def test_reads_the_geojson_shapes(text):
    read = geometry.read_boundary(text)
    assert read.errors == []
    assert read.geometry.bounds == pytest.approx((110.13, 35.22, 110.17, 35.26))


def test_several_polygons_are_merged():
    read = geometry.read_boundary(feature_collection(square(*A_CENTRE), square(*B_CENTRE)))
    assert read.geometry.geom_type == "MultiPolygon"
    assert geometry.contains(read.geometry, *B_CENTRE)


BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[110.1, 35.2], [110.2, 35.3], [110.2, 35.2], [110.1, 35.3], [110.1, 35.2]]],
}


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({"type": "Point", "coordinates": [110.1, 35.2]}),
        json.dumps({"type": "FeatureCollection", "features": []}),
        json.dumps({"type": "Polygon", "coordinates": [[[110.1, 35.2], [110.2, 35.2]]]}),
        json.dumps({"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], [1, 2]]]}),
        json.dumps({"type": "Polygon", "coordinates": "x"}),
        json.dumps(square(35.24, 110.15)),  # latitude and longitude swapped
        json.dumps(BOWTIE),
        json.dumps(
            {"type": "Polygon", "coordinates": [[[110.1, 35.2], [110.2, 35.2], [110.3, 35.2], [110.1, 35.2]]]}
        ),
        "[" * 5000 + "]" * 5000,
    ],
    ids=[
        "text",
        "list",
        "point",
        "empty",
        "open",
        "strings",
        "coords-text",
        "swapped",
        "bowtie",
        "flat",
        "deep",
    ],
)
def test_bad_files_give_messages_not_exceptions(text):
    read = geometry.read_boundary(text)
    assert read.geometry is None
    assert read.errors


def test_a_gcj02_drawing_is_stored_in_wgs84():
    gcj_centre = from_wgs84(*A_CENTRE, "GCJ02")
    read = geometry.read_boundary(json.dumps(square(*gcj_centre, 0.001)), system="GCJ02")
    c = read.geometry.centroid
    assert (c.x, c.y) == pytest.approx(A_CENTRE, abs=2e-6)


def test_tolerance_is_thirty_metres():
    geom = geometry.read_boundary(json.dumps(square(*A_CENTRE))).geometry
    edge = A_CENTRE[1] + HALF
    assert geometry.contains(geom, A_CENTRE[0], edge + 20 / 111_320)
    assert not geometry.contains(geom, A_CENTRE[0], edge + 60 / 111_320)


# ---- saving --------------------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_save_replace_and_delete_keep_history(county):
    admin = county.users["admin"]
    code = county.a.village.code
    b = boundary_save(actor=admin, text=json.dumps(square(*A_CENTRE)), division_code=code, reason="初次绘制")
    assert (b.version, b.vertex_count, b.updated_by) == (1, 5, admin)
    b2 = boundary_save(actor=admin, text=json.dumps(square(*A_CENTRE, 0.03)), division_code=code)
    assert b2.pk == b.pk and b2.version == 2 and b2.min_lng == pytest.approx(110.12)
    boundary_delete(actor=admin, boundary_id=b.pk, reason="作废")
    assert not Boundary.objects.exists()
    actions = list(
        RecordHistory.objects.filter(record_type="mapping.boundary", record_id=b.pk).values_list(
            "action", flat=True
        )
    )
    assert actions == ["create", "update", "void"]


@pytestmark_db
@pytest.mark.parametrize("role", ["collector", "officer", "chief"])
def test_only_county_admins_draw_boundaries(county, role):
    with pytest.raises(Forbidden):
        boundary_save(
            actor=county.a.users[role],
            text=json.dumps(square(*A_CENTRE)),
            division_code=county.a.village.code,
        )
    assert not Boundary.objects.exists()


@pytestmark_db
@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"division_code": "", "police_unit_code": ""}, "division_code"),
        ({"division_code": "610524001003", "police_unit_code": "610524501001"}, "division_code"),
        ({"division_code": "999999999999"}, "division_code"),
        ({"police_unit_code": "999"}, "police_unit_code"),
        ({"division_code": "610524001003", "system": "XX"}, "system"),
        ({"division_code": "610524001003", "text": "{}"}, "file"),
    ],
)
def test_bad_input_is_a_field_error_and_saves_nothing(county, kwargs, field):
    args = {"actor": county.users["admin"], "text": json.dumps(square(*A_CENTRE)), **kwargs}
    with pytest.raises(InvalidInput) as err:
        boundary_save(**args)
    assert field in err.value.fields
    assert not Boundary.objects.exists()


# ---- the marking check ---------------------------------------------------------------------------


def _mark(county, lng, lat, system="WGS84"):
    door = county.a.door
    door.refresh_from_db()
    return address_mark(
        actor=county.a.users["officer"],
        address=door,
        expected_version=door.version,
        lng=lng,
        lat=lat,
        system=system,
        confirm=True,
    )


@pytestmark_db
def test_no_boundary_no_check(county):
    assert _mark(county, *B_CENTRE).mark_state == MarkState.CONFIRMED


@pytestmark_db
def test_inside_the_village_boundary_is_accepted(county, drawn):
    door = _mark(county, A_CENTRE[0] + 0.01, A_CENTRE[1] - 0.01)
    assert door.mark_state == MarkState.CONFIRMED


@pytestmark_db
def test_outside_the_village_boundary_is_a_field_error(county, drawn):
    with pytest.raises(InvalidInput) as err:
        _mark(county, *B_CENTRE)
    assert err.value.code == "address.outside_boundary"
    assert "lng" in err.value.fields
    assert "金水社区" in str(err.value.fields["lng"][0])
    county.a.door.refresh_from_db()
    assert county.a.door.mark_state == MarkState.UNMARKED and county.a.door.version == 1


@pytestmark_db
def test_the_check_uses_the_converted_point(county, drawn):
    """A GCJ-02 reading of a point just inside the edge is ≈ 500 m off: checked after conversion."""
    near_edge = (A_CENTRE[0] + HALF - 0.001, A_CENTRE[1])
    gcj = from_wgs84(*near_edge, "GCJ02")
    assert _mark(county, *gcj, system="GCJ02").mark_state == MarkState.CONFIRMED
    with pytest.raises(InvalidInput):
        _mark(county, *gcj, system="WGS84")  # the same numbers read as WGS-84 fall outside


@pytestmark_db
def test_police_district_and_township_boundaries_are_checked_too(county):
    boundary_save(actor=None, text=json.dumps(square(*A_CENTRE)), police_unit_code=county.a.district.code)
    with pytest.raises(InvalidInput) as err:
        _mark(county, *B_CENTRE)
    assert "第一警务区" in str(err.value.fields["lng"][0])
    Boundary.objects.all().delete()
    boundary_save(actor=None, text=json.dumps(square(*B_CENTRE)), division_code=county.a.town.code)
    with pytest.raises(InvalidInput) as err:
        _mark(county, *A_CENTRE)
    assert "城关街道" in str(err.value.fields["lng"][0])


@pytestmark_db
def test_another_villages_boundary_does_not_apply(county, drawn):
    Boundary.objects.filter(division=county.a.village).delete()
    assert _mark(county, *B_CENTRE).mark_state == MarkState.CONFIRMED


# ---- the command ---------------------------------------------------------------------------------


@pytestmark_db
def test_command_loads_lists_and_removes(county, tmp_path, capsys):
    f = tmp_path / "village.geojson"
    f.write_text(feature_collection(square(*A_CENTRE)), encoding="utf-8")
    call_command("boundary", "load", str(f), "--division", county.a.village.code, "--user", "admin")
    assert Boundary.objects.get().updated_by == county.users["admin"]
    call_command("boundary", "load", str(f), "--police-unit", county.a.district.code, "--system", "GCJ02")
    call_command("boundary", "list")
    out = capsys.readouterr().out
    assert county.a.village.code in out and county.a.district.code in out
    call_command("boundary", "remove", "--division", county.a.village.code)
    assert Boundary.objects.count() == 1


@pytestmark_db
@pytest.mark.parametrize(
    "args",
    [
        ["--division", "999999999999"],
        ["--division", "610524001003", "--user", "officer_a"],
        ["--division", "610524001003", "--user", "nobody-here"],
    ],
)
def test_command_refuses_bad_input_with_a_message(county, tmp_path, args):
    f = tmp_path / "b.geojson"
    f.write_text(json.dumps(square(*A_CENTRE)), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("boundary", "load", str(f), *args)
    assert not Boundary.objects.exists()


@pytestmark_db
def test_command_reports_a_bad_file(county, tmp_path):
    f = tmp_path / "b.geojson"
    f.write_text(json.dumps(BOWTIE), encoding="utf-8")
    with pytest.raises(CommandError, match="file"):
        call_command("boundary", "load", str(f), "--division", county.a.village.code)
    with pytest.raises(CommandError):
        call_command(
            "boundary", "load", str(tmp_path / "missing.geojson"), "--division", county.a.village.code
        )
