"""Helpers of the bulletin tests: a second county bureau (out of scope of the shared county's
users) with its own supervisor and chief, and reading the rendered files back."""

from __future__ import annotations

import io
from dataclasses import dataclass

from tests.factories import _div, _user
from ybss.org.models import AdminDivision, DivisionLevel, PoliceUnit, PoliceUnitKind, Role, User


@dataclass
class OtherCounty:
    bureau: PoliceUnit
    station: PoliceUnit
    supervisor: User
    chief: User


def make_other_county() -> OtherCounty:
    """澄城县公安局 (610525) beside the shared 合阳县 county: a bureau, one station, a supervisor
    and a chief. Needs the shared county's city division (渭南市) to exist."""
    city = AdminDivision.objects.get(pk="610500000000")
    _div("610525000000", "澄城县", DivisionLevel.COUNTY, city, "陕西省渭南市澄城县")
    bureau = PoliceUnit.objects.create(
        code="610525000000", name="澄城县公安局", kind=PoliceUnitKind.COUNTY_BUREAU, prefix="610525"
    )
    station = PoliceUnit.objects.create(
        code="610525501000", name="城关派出所", kind=PoliceUnitKind.STATION, parent=bureau, prefix="610525501"
    )
    return OtherCounty(
        bureau=bureau,
        station=station,
        supervisor=_user("other_supervisor", Role.SUPERVISOR, bureau),
        chief=_user("other_chief", Role.CHIEF, station),
    )


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF (pypdfium2), pages joined by a newline."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded().replace("\r\n", "\n"))
            textpage.close()
            page.close()
        return "\n".join(pages)
    finally:
        pdf.close()


def pdf_pages_not_blank(data: bytes) -> int:
    """Render every page to an image and check it is not blank (some dark pixels); the count."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        n = 0
        for page in pdf:
            image = page.render(scale=0.6).to_pil().convert("L")
            dark = sum(image.histogram()[:128])
            assert dark > 500, f"page {n + 1} is blank"
            page.close()
            n += 1
        return n
    finally:
        pdf.close()


def docx_text(data: bytes) -> str:
    import docx

    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def xlsx_rows(data: bytes) -> dict[str, list[tuple]]:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()
