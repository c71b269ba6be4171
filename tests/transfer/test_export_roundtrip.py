"""Round trip: export → import into a database without the exported records gives the same records."""

from __future__ import annotations

import csv

import pytest

from tests.factories import County, PersonFactory, ResidenceFactory, make_id
from ybss.registry.models import Employment, House, Person, Residence, Unit
from ybss.transfer.columns import PERSONS
from ybss.transfer.exporting import export_to_file

pytestmark = pytest.mark.django_db

PERSON_FIELDS = (
    "id_type", "id_number", "name", "sex", "ethnicity", "birth_date", "phone", "hukou_division_code",
    "hukou_address_text", "source_ref", "division_id", "police_unit_id",
)  # fmt: skip
RESIDENCE_FIELDS = (
    "person__id_number", "house_id", "residence_type", "relation", "reason", "since", "active",
    "division_id", "police_unit_id",
)  # fmt: skip


def _csv_rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _snapshot() -> tuple[list, list]:
    persons = sorted(Person.objects.values_list(*PERSON_FIELDS))
    residences = sorted(Residence.objects.values_list(*RESIDENCE_FIELDS))
    return persons, residences


def _forget_persons() -> None:
    Employment.objects.all().delete()
    Residence.objects.all().delete()
    House.objects.update(landlord=None)
    Person.objects.all().delete()


def _more_people(county: County) -> None:
    """A floating tenant with reason, dates, a collector and a source number beside the fixture's."""
    s = county.a
    p = PersonFactory(
        id_number=make_id(region="410105", birth="19850615", seq=17),
        name="赵流动",
        sex="1",
        ethnicity="03",
        birth_date="1985-06-15",
        phone="13700001111",
        hukou_division_code="410105000000",
        hukou_address_text="河南省郑州市金水区某路1号",
        source_ref="SRC-77",
        created_by=s.users["collector"],
        division=s.village,
        police_unit=s.district,
    )
    ResidenceFactory(
        person=p,
        house=s.house,
        residence_type="floating",
        relation="99",
        reason="work",
        since="2025-03-01",
        division=s.village,
        police_unit=s.district,
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_gives_the_same_records(county: County, tmp_path, fmt):
    from ybss.transfer.importing import ImportOptions, run_import

    _more_people(county)
    before = _snapshot()
    path = tmp_path / f"persons.{fmt}"
    result = export_to_file("persons", county.users["investigator"], path, fmt=fmt)
    assert result.rows == 3
    _forget_persons()
    report = run_import(actor=county.users["admin"], kind="persons", path=path, options=ImportOptions())
    assert report.state == "written", [(i.row, i.column, i.code, i.message) for i in report.issues]
    assert report.rows == 3
    assert _snapshot() == before
    # 采集人 comes back as the collector; a row without one is credited to the importing user.
    assert Person.objects.get(source_ref="SRC-77").created_by == county.a.users["collector"]


def test_reexporting_an_import_gives_the_same_file_rows(county: County, tmp_path):
    from ybss.transfer.importing import ImportOptions, run_import

    _more_people(county)
    first = tmp_path / "first.csv"
    export_to_file("persons", county.users["investigator"], first, fmt="csv")
    _forget_persons()
    run_import(actor=county.users["admin"], kind="persons", path=first, options=ImportOptions())
    second = tmp_path / "second.csv"
    export_to_file("persons", county.users["investigator"], second, fmt="csv")

    # 采集人 and 采集时间 are provenance: a blank 采集人 comes back as the importing user, and
    # 采集时间 as the time of the import (the importer keeps the file's value in the history reason).
    provenance = {PERSONS.columns.index(PERSONS.column(k)) for k in ("collector", "collected_at")}

    def data(path):  # header and rows; the footer differs (time), the order may (new ids)
        rows = _csv_rows(path)
        body = [[v for i, v in enumerate(r) if i not in provenance] for r in rows[1:-1]]
        return rows[0], sorted(body)

    assert data(second) == data(first)


UNIT_FIELDS = (
    "name", "credit_code", "category", "industry", "special_trade", "hazards", "legal_rep_name",
    "legal_rep_id_number", "phone", "address_id", "source_ref", "division_id", "police_unit_id",
)  # fmt: skip
HOUSE_FIELDS = (
    "address_id", "house_type", "structure", "floors", "rooms", "area", "use", "ownership", "owner_name",
    "owner_id_number", "owner_phone", "rental_mode", "rental_start", "rent", "rental_filing_no",
    "security_pledge", "management_level", "source_ref", "division_id", "police_unit_id",
)  # fmt: skip


def _import(county: County, kind: str, path):
    from ybss.transfer.importing import ImportOptions, run_import

    report = run_import(actor=county.users["admin"], kind=kind, path=path, options=ImportOptions())
    assert report.state == "written", [(i.row, i.column, i.code, i.message) for i in report.issues]
    return report


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_units_round_trip(county: County, tmp_path, fmt):
    Unit.objects.filter(pk=county.a.unit.pk).update(
        credit_code="91610524MA6Y12345X"[:17] + "0",
        industry="F",
        special_trade="hotel",
        hazards=["explosive_precursor", "hazardous_chemical"],
        phone="0913-5512345",
        source_ref="U-1",
    )
    before = sorted(Unit.objects.values_list(*UNIT_FIELDS))
    path = tmp_path / f"units.{fmt}"
    export_to_file("units", county.users["investigator"], path, fmt=fmt)
    Employment.objects.all().delete()
    Unit.objects.all().delete()
    _import(county, "units", path)
    assert sorted(Unit.objects.values_list(*UNIT_FIELDS)) == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_houses_round_trip(county: County, tmp_path, fmt):
    House.objects.filter(pk=county.a.house.pk).update(
        structure="brick_concrete",
        floors=6,
        rooms=3,
        area="89.50",
        ownership="private",
        owner_name="王a明",
        owner_id_number=county.a.person.id_number,
        owner_phone="13800000001",
        rental_filing_no="HY-ZL-1",
        security_pledge=True,
        management_level="B",
        source_ref="H-1",
    )
    before = sorted(House.objects.values_list(*HOUSE_FIELDS))
    path = tmp_path / f"houses.{fmt}"
    export_to_file("houses", county.users["investigator"], path, fmt=fmt)
    Employment.objects.all().delete()
    Residence.objects.all().delete()
    Unit.objects.update(house=None)
    House.objects.all().delete()
    _import(county, "houses", path)
    assert sorted(House.objects.values_list(*HOUSE_FIELDS)) == before
