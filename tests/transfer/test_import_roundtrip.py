"""Export → import: a file exported by ybss imports back without changes, in xlsx and csv."""

from __future__ import annotations

import pytest

from tests.transfer.test_import_support import dump, person_row, write_xlsx
from ybss.transfer.exporting import export_to_file
from ybss.transfer.importing import ImportOptions, run_import

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("fmt", "encoding"), [("xlsx", "utf-8"), ("csv", "utf-8"), ("csv", "gb18030")])
def test_an_exported_persons_file_imports_back_unchanged(county, tmp_path, fmt, encoding):
    officer = county.a.users["officer"]  # sees full identifiers, so the export is importable
    assert run_import(
        actor=officer,
        kind="persons",
        path=write_xlsx(tmp_path / "seed.xlsx", [person_row(n) for n in range(5)]),
    ).written
    before = dump()
    path = tmp_path / f"persons.{fmt}"
    export_to_file("persons", officer, path, fmt=fmt, encoding=encoding, purpose="test")
    report = run_import(actor=officer, kind="persons", path=path, options=ImportOptions())
    assert report.state == "written", report.issues
    assert report.rows == 6  # the five imported and 王a明, not the footer row
    assert report.total("created") == report.total("updated") == 0
    assert dump(("registry_person", "registry_residence", "registry_house")) == {
        k: v for k, v in before.items() if k in ("registry_person", "registry_residence", "registry_house")
    }
