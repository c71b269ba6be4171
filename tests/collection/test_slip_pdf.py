"""The appointment slip (信息采集预约单) as a PDF: A6, Chinese text with embedded fonts, a QR code
that a phone can read back to the appointment page."""

from __future__ import annotations

import ctypes
import re
import zlib

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import segno
import zxingcpp
from django.utils import timezone, translation
from PIL import ImageStat

from tests.collection.appointment_helpers import OFFICER_NAME, OFFICER_PHONE, issue, name_officer
from ybss.collection.slips import appointment_slip_pdf, appointment_url, qr_svg_data_uri

pytestmark = pytest.mark.django_db

BASE_URL = "https://ybss.example.gov.cn"
A6_PT = (105 / 25.4 * 72, 148 / 25.4 * 72)  # 297.64 × 419.53 pt


@pytest.fixture
def slip(county, tmp_path):
    """A slip of station a in Chinese: the appointment, its PDF bytes, page 1 as a PNG image."""
    name_officer(county.a)
    appointment = issue(county.a, days=3, start_hour=19)
    with translation.override("zh-hans"):
        pdf = appointment_slip_pdf(appointment, base_url=BASE_URL)
    (tmp_path / "slip.pdf").write_bytes(pdf)
    doc = pdfium.PdfDocument(pdf)
    image = doc[0].render(scale=300 / 72).to_pil().convert("RGB")  # 300 dpi, as printed
    image.save(tmp_path / "slip.png")
    return appointment, pdf, doc, image


def _text(doc) -> str:
    return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_slip_is_one_a6_page(slip):
    _appointment, _pdf, doc, _image = slip
    assert len(doc) == 1
    width, height = doc[0].get_size()
    assert width == pytest.approx(A6_PT[0], abs=0.5)
    assert height == pytest.approx(A6_PT[1], abs=0.5)


def test_slip_text_is_chinese_with_station_officer_and_window(slip, county):
    appointment, _pdf, doc, _image = slip
    text = _squeeze(_text(doc))
    local_start = timezone.localtime(appointment.window_start)
    local_end = timezone.localtime(appointment.window_end)
    weekday = "一二三四五六日"[local_start.weekday()]
    for expected in (
        "信息采集预约单",
        "合阳县公安局",
        county.a.station.name,  # 金水派出所
        OFFICER_NAME,
        OFFICER_PHONE,
        county.a.users["collector"].display_name,
        appointment.number,
        county.a.room.full_name,
        f"{local_start.year}年{local_start.month}月{local_start.day}日",
        f"星期{weekday}",
        f"{local_start:%H:%M}–{local_end:%H:%M}",
        "扫码确认或改约",
        "一标三实",
        "今日上门未遇",
    ):
        assert _squeeze(expected) in text, expected


def test_slip_carries_no_resident_data(slip, county):
    _appointment, _pdf, doc, _image = slip
    text = _squeeze(_text(doc))
    person = county.a.person
    assert person.name not in text and person.id_number not in text and person.phone not in text


def _decompressed_streams(pdf: bytes):
    for m in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", m.end())
        try:
            yield zlib.decompressobj().decompress(pdf[m.end() : end])
        except zlib.error:
            continue


def test_slip_fonts_are_embedded(slip):
    """No tofu on a printer without the fonts: every font of the page carries its font program
    (/FontFile2 for TrueType, /FontFile3 for CFF, as Noto CJK is), and the text objects use them."""
    _appointment, pdf, doc, _image = slip
    font_dicts = b"\n".join([pdf, *_decompressed_streams(pdf)])
    assert re.search(rb"/FontFile[23]\b", font_dicts)
    names = set()
    for obj in doc[0].get_objects(max_depth=5):
        if obj.type != pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
        buf = ctypes.create_string_buffer(256)
        pdfium_c.FPDFFont_GetBaseFontName(font, buf, 256)
        names.add(buf.value.decode())
        assert pdfium_c.FPDFFont_GetIsEmbedded(font) == 1, buf.value
    assert names and all("CJK" in n for n in names), names


def test_slip_qr_code_reads_back_the_appointment_url(slip):
    appointment, _pdf, _doc, image = slip
    found = zxingcpp.read_barcodes(image)
    texts = [r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert texts == [appointment_url(appointment, base_url=BASE_URL)]
    assert texts[0] == f"{BASE_URL}/a/{appointment.token}/"


def test_slip_qr_code_is_big_enough_to_scan_when_printed(slip):
    """At least 30 mm across on paper (≈ 0.7 mm a module for a version-4 code)."""
    _appointment, _pdf, _doc, image = slip
    (result,) = zxingcpp.read_barcodes(image)
    xs = [p.x for p in (result.position.top_left, result.position.bottom_right)]
    width_mm = abs(xs[1] - xs[0]) / 300 * 25.4
    assert width_mm >= 25


def test_slip_title_area_is_not_blank(slip):
    """The rendered title strip (the top fifth of the page) holds dark ink: the glyphs drew."""
    _appointment, _pdf, _doc, image = slip
    w, h = image.size
    title = image.crop((int(w * 0.15), int(h * 0.04), int(w * 0.85), int(h * 0.12))).convert("L")
    dark = sum(title.histogram()[:128])
    assert dark > 0.03 * title.width * title.height
    assert ImageStat.Stat(title).extrema[0][0] < 60


def test_qr_code_uses_error_correction_m():
    uri = qr_svg_data_uri("https://ybss.example.gov.cn/a/x/")
    assert uri.startswith("data:image/svg+xml")
    assert segno.make("https://ybss.example.gov.cn/a/x/", error="m", boost_error=False).error == "M"


def test_slip_is_english_when_english_is_active(county):
    name_officer(county.a)
    appointment = issue(county.a)
    with translation.override("en"):
        pdf = appointment_slip_pdf(appointment, base_url=BASE_URL)
    doc = pdfium.PdfDocument(pdf)
    assert len(doc) == 1
    text = _squeeze(_text(doc))
    assert "Informationcollectionappointmentslip" in text
    assert county.a.station.name in text
