"""Exports in the template layout: scope, labels, masking, audit, footer and properties, CSV encodings."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.factories import County
from ybss.addresses.models import StandardAddress
from ybss.audit.models import AuditEvent
from ybss.core.errors import Forbidden, InvalidInput
from ybss.registry.models import Person
from ybss.transfer import columns, readers
from ybss.transfer.exporting import MAPPED_KEYS, export_rows, export_to_file, headers
from ybss.transfer.templates_xlsx import CODE_SHEET, FIRST_DATA_ROW

pytestmark = pytest.mark.django_db

PERSON = {c.key: i for i, c in enumerate(columns.PERSONS.columns)}


def _xlsx_rows(path) -> list[list]:
    ws = load_workbook(path).worksheets[0]
    return [list(r) for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]


def _csv_rows(path, encoding="utf-8-sig") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


def test_every_template_column_is_exported():
    for kind, template in columns.TEMPLATES.items():
        assert {c.key for c in template.columns} <= MAPPED_KEYS[kind], kind


def test_officer_exports_only_their_district(county: County, tmp_path):
    path = tmp_path / "p.xlsx"
    result = export_to_file("persons", county.a.users["officer"], path)
    rows = _xlsx_rows(path)
    data, footer = rows[:-1], rows[-1]
    assert result.rows == 1
    assert [r[PERSON["name"]] for r in data] == [county.a.person.name]
    assert footer[0].startswith("导出人：officer_a")
    assert "共 1 条" in footer[0]


def test_county_user_exports_both_stations(county: County, tmp_path):
    path = tmp_path / "p.csv"
    export_to_file("persons", county.users["investigator"], path, fmt="csv")
    names = {r[PERSON["name"]] for r in _csv_rows(path)[1:-1]}
    assert names == {county.a.person.name, county.b.person.name}


def test_person_row_has_labels_iso_dates_and_address_code(county: County, tmp_path):
    path = tmp_path / "p.csv"
    export_to_file("persons", county.a.users["officer"], path, fmt="csv")
    header, row = _csv_rows(path)[:2]
    assert header == headers("persons")
    assert row[PERSON["id_type"]] == "居民身份证"
    assert row[PERSON["sex"]] == "男性"
    assert row[PERSON["ethnicity"]] == "汉族"
    assert row[PERSON["birth_date"]] == "1980-01-01"
    assert row[PERSON["residence_type"]] == "常住"
    assert row[PERSON["relation"]] == "户主"
    assert row[PERSON["address"]] == county.a.room.code
    assert row[PERSON["collected_at"]] == "2026-11-01 17:00"  # NOW, 09:00 UTC, in Asia/Shanghai


def test_officer_gets_full_identifiers(county: County, tmp_path):
    path = tmp_path / "p.csv"
    export_to_file("persons", county.a.users["officer"], path, fmt="csv")
    row = _csv_rows(path)[1]
    assert row[PERSON["id_number"]] == county.a.person.id_number
    assert row[PERSON["phone"]] == county.a.person.phone


def test_role_without_full_identifiers_gets_them_masked(county: County, tmp_path):
    path = tmp_path / "p.csv"
    export_to_file("persons", county.users["supervisor"], path, fmt="csv")
    body = path.read_text(encoding="utf-8-sig")
    for person in (county.a.person, county.b.person):
        assert person.id_number not in body
        assert person.phone not in body
        assert person.id_number[:6] + "********" + person.id_number[-4:] in body


def test_unit_legal_rep_is_masked_for_supervisor(county: County, tmp_path):
    path = tmp_path / "u.csv"
    export_to_file("units", county.users["supervisor"], path, fmt="csv")
    body = path.read_text(encoding="utf-8-sig")
    assert county.a.unit.legal_rep_id_number not in body
    assert county.a.unit.legal_rep_id_number[:6] + "********" in body


@pytest.mark.parametrize("role", ["collector", "auditor", "nobody"])
def test_roles_without_export_are_refused(county: County, tmp_path, role):
    user = county.a.users["collector"] if role == "collector" else county.users[role]
    with pytest.raises(Forbidden):
        export_to_file("persons", user, tmp_path / "p.xlsx")
    assert not (tmp_path / "p.xlsx").exists()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_export_is_audited_once_with_kind_format_filters_and_count(county: County, tmp_path):
    user = county.a.users["chief"]
    export_to_file("houses", user, tmp_path / "h.xlsx", filters={"status": "accepted"})
    event = AuditEvent.objects.get(action="export")
    assert event.actor == user
    assert event.object_type == "registry.house"
    assert event.result_count == 1
    assert event.channel == "cli"
    assert event.detail == {
        "kind": "houses",
        "format": "xlsx",
        "filters": {"status": "accepted"},
        "file": "h.xlsx",
    }


def test_web_channel_and_csv_encoding_are_recorded(county: County):
    export_to_file(
        "units", county.a.users["officer"], io.BytesIO(), fmt="csv", encoding="gb18030", channel="web"
    )
    event = AuditEvent.objects.get(action="export")
    assert (event.channel, event.detail["format"], event.detail["encoding"]) == ("web", "csv", "gb18030")


def test_xlsx_carries_exporter_in_properties_and_footer(county: County, tmp_path):
    path = tmp_path / "p.xlsx"
    user = county.a.users["officer"]
    result = export_to_file("persons", user, path)
    wb = load_workbook(path)
    props = wb.properties
    assert "officer_a" in props.creator
    assert props.title == "实有人口导出"
    assert props.created is not None
    assert abs((props.created - result.exported_at.replace(tzinfo=None)).total_seconds()) < 2
    assert "导出人：officer_a" in props.description
    footer = _xlsx_rows(path)[-1][0]
    assert footer.startswith("导出人：officer_a")
    assert "导出时间：" in footer


def test_xlsx_export_is_a_filled_template(county: County, tmp_path):
    path = tmp_path / "p.xlsx"
    export_to_file("persons", county.a.users["officer"], path)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert [c.value.lstrip("*") for c in ws[1]] == headers("persons")
    assert ws["A2"].value.startswith("说明：")
    assert ws.data_validations.dataValidation
    assert wb[CODE_SHEET].sheet_state == "hidden"


def test_importer_reads_exactly_the_data_rows(county: County, tmp_path):
    for fmt in ("xlsx", "csv"):
        path = tmp_path / f"p.{fmt}"
        export_to_file("persons", county.users["investigator"], path, fmt=fmt)
        with readers.open_table(path, "persons") as table:
            rows = list(table.rows)
        assert sorted(r[1][PERSON["id_number"]] for r in rows) == sorted(
            Person.objects.values_list("id_number", flat=True)
        ), fmt


def test_csv_utf8_has_bom_and_footer(county: County, tmp_path):
    path = tmp_path / "p.csv"
    export_to_file("persons", county.a.users["officer"], path, fmt="csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(path)
    assert rows[0] == headers("persons")
    assert rows[-1][0].startswith("导出人：officer_a")
    assert "共 1 条" in rows[-1][0]


def test_csv_gb18030_reads_back(county: County, tmp_path):
    path = tmp_path / "p.csv"
    export_to_file("persons", county.a.users["officer"], path, fmt="csv", encoding="gb18030")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rows = _csv_rows(path, encoding="gb18030")
    assert rows[0] == headers("persons")
    assert rows[1][PERSON["name"]] == county.a.person.name


@pytest.mark.parametrize(("kind", "count"), [("addresses", 2), ("houses", 1), ("persons", 1), ("units", 1)])
def test_each_kind_exports_in_scope(county: County, tmp_path, kind, count):
    path = tmp_path / f"{kind}.csv"
    result = export_to_file(kind, county.b.users["chief"], path, fmt="csv")
    rows = _csv_rows(path)
    assert rows[0] == headers(kind)
    assert len(rows) == count + 2  # header + rows + footer
    assert result.rows == count


def test_address_rows_name_the_door_plate_of_a_room(county: County):
    # A room address that does not repeat its door plate's street and number gets them from it.
    StandardAddress.objects.filter(pk=county.a.room.pk).update(road=None, door_number="")
    rows = list(export_rows("addresses", county.a.users["officer"]))
    keys = [c.key for c in columns.ADDRESSES.columns]
    door, room = (dict(zip(keys, r, strict=True)) for r in rows)
    assert door["code"] == county.a.door.code
    assert room["code"] == county.a.room.code
    assert room["road"] == door["road"] == county.a.road.name
    assert room["door_number"] == door["door_number"] == county.a.door.door_number
    assert (room["unit_no"], room["floor"], room["room_no"]) == ("1", 5, "501")
    assert door["division_code"] == county.a.village.pk
    assert door["police_unit_code"] == county.a.district.pk


def test_house_and_unit_values(county: County):
    (house,) = export_rows("houses", county.a.users["officer"])
    hk = {c.key: i for i, c in enumerate(columns.HOUSES.columns)}
    assert house[hk["address"]] == county.a.room.code
    assert house[hk["house_type"]] == "平房/四合院"
    assert house[hk["use"]] == "自住"
    assert house[hk["security_pledge"]] == "否"
    assert house[hk["management_level"]] == "常规"
    county.a.unit.hazards = ["explosive_precursor", "hazardous_chemical"]
    county.a.unit.special_trade = "hotel"
    county.a.unit.save()
    (unit,) = export_rows("units", county.a.users["officer"])
    uk = {c.key: i for i, c in enumerate(columns.UNITS.columns)}
    assert unit[uk["hazards"]] == "易制爆、危化品"
    assert unit[uk["special_trade"]] == "旅馆业"
    assert unit[uk["category"]] == "企业"
    assert unit[uk["address"]] == county.a.door.code


def test_filters_narrow_the_export(county: County):
    officer = county.users["investigator"]
    assert len(list(export_rows("persons", officer, {"police_unit": "610524503"}, purpose="核查"))) == 1
    assert list(export_rows("persons", officer, {"status": "voided"}, purpose="核查")) == []
    assert len(list(export_rows("persons", officer, {"separated": "否"}, purpose="核查"))) == 2


def test_unknown_filter_is_refused(county: County):
    with pytest.raises(InvalidInput) as exc:
        export_rows("houses", county.a.users["officer"], {"colour": "red"})
    assert exc.value.code == "unknown_filter"


def test_investigator_search_needs_a_purpose(county: County):
    with pytest.raises(InvalidInput) as exc:
        export_rows("persons", county.users["investigator"], {"q": "王"})
    assert exc.value.code == "purpose_required"


def test_formula_like_text_stays_text(county: County, tmp_path):
    Person.objects.filter(pk=county.a.person.pk).update(hukou_address_text='=HYPERLINK("x")')
    xlsx = tmp_path / "p.xlsx"
    export_to_file("persons", county.a.users["officer"], xlsx)
    cell = load_workbook(xlsx).worksheets[0].cell(FIRST_DATA_ROW, PERSON["hukou_address_text"] + 1)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")
    path = tmp_path / "p.csv"
    export_to_file("persons", county.a.users["officer"], path, fmt="csv")
    assert _csv_rows(path)[1][PERSON["hukou_address_text"]] == '\'=HYPERLINK("x")'


def test_progress_is_reported_and_no_part_file_is_left(county: County, tmp_path):
    calls = []
    export_to_file(
        "persons", county.users["investigator"], tmp_path / "p.xlsx", progress=lambda *a: calls.append(a)
    )
    assert calls[-1] == (2, 2)
    assert [p.name for p in tmp_path.iterdir()] == ["p.xlsx"]


def test_export_command(county: County, tmp_path):
    out = io.StringIO()
    path = tmp_path / "persons.csv"
    call_command("export", "persons", str(path), user="officer_a", encoding="gb18030", quiet=True, stdout=out)
    assert "1" in out.getvalue()
    assert _csv_rows(path, encoding="gb18030")[1][PERSON["name"]] == county.a.person.name
    assert AuditEvent.objects.get(action="export").channel == "cli"


def test_export_command_filters(county: County, tmp_path):
    path = tmp_path / "persons.xlsx"
    call_command(
        "export", "persons", str(path), user="chief_a", filter=["sex=2"], quiet=True, stdout=io.StringIO()
    )
    assert _xlsx_rows(path)[:-1] == []


@pytest.mark.parametrize(
    ("opts", "message"),
    [
        ({"user": "ghost"}, "ghost"),
        ({"user": "collector_a"}, "forbidden"),
        ({"user": "officer_a", "filter": ["x"]}, "NAME=VALUE"),
    ],
)
def test_export_command_errors(county: County, tmp_path, opts, message):
    with pytest.raises(CommandError, match=message):
        call_command("export", "persons", str(tmp_path / "p.xlsx"), quiet=True, **opts)
