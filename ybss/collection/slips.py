"""The printable appointment slip (信息采集预约单): an A6 PDF with the station, the officer and
their phone, the proposed window and a QR code for the household's appointment page.

Rendered by WeasyPrint (system Pango + fontconfig) from ``collection/slip.html`` in the active
language; the Chinese glyphs come from the Noto CJK fonts and are embedded (subset) in the PDF.
The slip carries no resident's personal data: only the address, the window and staff contacts.
Nothing is fetched while rendering: the only resource, the QR code, is an inline SVG data URI.
"""

from __future__ import annotations

from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ybss.org.models import PoliceUnit, PoliceUnitKind

from .models import Appointment

#: The path of the resident's page under the site root (``web.urls_appointments``: ``a/<token>/``).
PUBLIC_PATH = "a/{token}/"


def appointment_url(appointment: Appointment, *, base_url: str) -> str:
    """The absolute address of the resident's page for ``appointment`` (what the QR code holds)."""
    return f"{base_url.rstrip('/')}/{PUBLIC_PATH.format(token=appointment.token)}"


def qr_svg_data_uri(text: str) -> str:
    """``text`` as a QR code (error correction M, 4-module quiet zone), an SVG data URI."""
    qr = segno.make(text, error="m", micro=False, boost_error=False)
    return qr.svg_data_uri(scale=1, border=4, dark="#000", light="#fff", xmldecl=False, nl=False)


def station_of(unit: PoliceUnit | None) -> PoliceUnit | None:
    """The police station (派出所) a unit belongs to: the unit itself or its nearest ancestor."""
    while unit is not None and unit.kind == PoliceUnitKind.DISTRICT:
        unit = unit.parent
    return unit


def issuer_names(appointment: Appointment) -> tuple[str, str]:
    """(bureau, station) names for the slip's letterhead, e.g. ("合阳县公安局", "金水派出所")."""
    station = station_of(appointment.police_unit)
    if station is None:
        return "", ""
    bureau = station.parent if station.kind == PoliceUnitKind.STATION else None
    return (bureau.name if bureau is not None else ""), station.name


def slip_context(appointment: Appointment, *, base_url: str) -> dict[str, Any]:
    bureau, station = issuer_names(appointment)
    url = appointment_url(appointment, base_url=base_url)
    return {
        "appointment": appointment,
        "bureau_name": bureau,
        "station_name": station,
        "address_name": appointment.address.full_name,
        "officer_name": appointment.officer.display_name if appointment.officer else "",
        "collector_name": appointment.issued_by.display_name,
        "phone": appointment.contact_phone,
        "issued_on": timezone.localtime(appointment.created_at),
        "url": url,
        "qr": qr_svg_data_uri(url),
        "language": translation.get_language() or "zh-hans",
    }


def appointment_slip_html(appointment: Appointment, *, base_url: str) -> str:
    return render_to_string("collection/slip.html", slip_context(appointment, base_url=base_url))


def appointment_slip_pdf(appointment: Appointment, *, base_url: str) -> bytes:
    """The slip as a one-page A6 (105 × 148 mm) PDF, in the active language.

    ``base_url`` is the site root the resident's phone can reach (scheme and host); the QR code
    encodes ``{base_url}/a/{token}/``.
    """
    from weasyprint import HTML  # loads Pango through cffi: only when a slip is printed
    from weasyprint.urls import URLFetcher

    html = appointment_slip_html(appointment, base_url=base_url)
    fetcher = URLFetcher(allowed_protocols=("data",))
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
