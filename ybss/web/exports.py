"""CSV exports of the four lists: columns per entity and the streaming writer.

Every value goes through ``web.display``, so identifiers are masked exactly as on the pages. The
file starts with a UTF-8 byte-order mark so Excel opens the Chinese text correctly.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from ybss.org.models import User

from .display import EMPTY, format_plain, record_value

#: The most rows one CSV may hold; a larger result asks the user to narrow the filters.
EXPORT_CAP = 50_000
BOM = "\ufeff"


@dataclass(frozen=True)
class Column:
    header: Any
    value: Callable[[User, Any], str]


def field(name: str, header: Any) -> Column:
    """A column showing ``record.<name>`` through ``display.record_value`` (labels, masking)."""

    def get(user: User, record: Model) -> str:
        text = record_value(user, record, name)
        return "" if text == EMPTY else text

    return Column(header, get)


def related(path: str, header: Any) -> Column:
    """A column showing a related object (``police_unit``, ``address.full_name``) as text."""

    def get(_user: User, record: Model) -> str:
        value: Any = record
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                return ""
        text = format_plain(value)
        return "" if text == EMPTY else text

    return Column(header, get)


ADDRESS_COLUMNS = (
    field("code", _("address code")),
    field("full_name", _("full name")),
    field("level", _("level")),
    field("status", _("status")),
    field("mark_state", _("marking")),
    field("clean_state", _("cleaning")),
    related("division", _("division")),
    related("police_unit", _("police unit")),
    field("lng", _("longitude")),
    field("lat", _("latitude")),
)

HOUSE_COLUMNS = (
    related("address.full_name", _("address")),
    field("house_type", _("house type")),
    field("use", _("use")),
    field("area", _("area (m²)")),
    field("owner_name", _("owner")),
    field("owner_id_number", _("owner ID number")),
    field("owner_phone", _("owner phone")),
    field("rental_mode", _("rental mode")),
    field("management_level", _("management level")),
    field("verify_state", _("verification")),
    field("status", _("status")),
    related("police_unit", _("police unit")),
)

PERSON_COLUMNS = (
    field("name", _("name")),
    field("sex", _("sex")),
    field("id_type", _("document type")),
    field("id_number", _("document number")),
    field("birth_date", _("birth date")),
    field("phone", _("phone")),
    field("hukou_address_text", _("registered domicile address")),
    field("is_key_person", _("key person")),
    field("status", _("status")),
    related("division", _("division")),
    related("police_unit", _("police unit")),
)

UNIT_COLUMNS = (
    field("name", _("unit name")),
    field("credit_code", _("unified social credit code")),
    field("category", _("category")),
    field("special_trade", _("special trade")),
    field("hazards", _("hazardous goods")),
    field("legal_rep_name", _("legal representative")),
    field("legal_rep_id_number", _("legal representative ID number")),
    field("legal_rep_phone", _("legal representative phone")),
    related("address.full_name", _("address")),
    field("biz_status", _("business status")),
    field("verify_state", _("verification")),
    field("status", _("status")),
    related("police_unit", _("police unit")),
)


class _Echo:
    """A file-like object whose ``write`` returns the line, for csv.writer in a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(user: User, columns: Iterable[Column], records: Iterable[Any]) -> Iterator[str]:
    """The CSV text, line by line: BOM + header, then one line per record."""
    cols = list(columns)
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([str(c.header) for c in cols])
    for record in records:
        yield writer.writerow([c.value(user, record) for c in cols])
