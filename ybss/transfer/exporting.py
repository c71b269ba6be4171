"""Exports of addresses, houses, persons and units in the import-template layout.

``ybss export`` calls ``export_to_file``; the web list pages can call it (or ``export_rows``, for
a streamed response) with the filters of their form. What an export guarantees:

* **Who may**: roles with ``jurisdiction.can_export`` (Forbidden otherwise). Rows come from the
  kind's selector (``address_list``, ``house_list``, ``person_list``, ``unit_list``), which starts
  from ``jurisdiction.scope``; a person's residence columns come from their current residence in
  scope.
* **Masking**: ID numbers and phones go through ``jurisdiction.show_id_number`` / ``show_phone``,
  so a role without full identifiers gets ``610524********123X``. Such a file cannot be imported
  back over the records (the importer rejects the masked numbers): expected for those roles.
* **Audit**: one ``audit_record(action="export")`` per export, written before the first row
  leaves, with the kind, format, filters and the row count (``person_list`` also records its
  search, as on the list page).
* **Round trip**: the columns of ``columns.TEMPLATES[kind]`` in order; coded values as their
  Chinese labels, dates ISO (``YYYY-MM-DD``), date-times ``YYYY-MM-DD HH:MM`` local time, yes/no
  as 是/否, addresses as the standard-address code (unambiguous, unlike the full name).
* **Provenance**: the file says who exported it and when: a footer row whose first cell starts
  with ``导出人：`` (``readers`` skips rows starting with 导出 as the footer) and, in xlsx, the
  document properties.
* **Flat memory**: rows are read with ``iterator(chunk_size=2000)`` as plain tuples (the residences
  of each chunk in one more query) and written as they come: openpyxl ``write_only`` or ``csv``.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
from collections.abc import Callable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.addresses.selectors import AddressFilters, address_list
from ybss.audit.models import AuditAction, AuditEvent
from ybss.audit.services import audit_record
from ybss.core.errors import Forbidden, InvalidInput
from ybss.org import jurisdiction
from ybss.org.models import User
from ybss.registry.models import Residence
from ybss.registry.selectors import (
    HouseFilters,
    PersonFilters,
    UnitFilters,
    house_list,
    person_list,
    unit_list,
)

from .columns import KINDS, TEMPLATES
from .templates_xlsx import FOOTER_PREFIX, NO, YES, Layout

CHUNK = 2000
FORMATS = ("xlsx", "csv")
#: ``--encoding`` → the Python codec written. UTF-8 gets a byte-order mark so Excel reads it.
ENCODINGS = {"utf-8": "utf-8-sig", "utf-8-sig": "utf-8-sig", "gb18030": "gb18030", "gbk": "gb18030"}

OBJECT_TYPES = {
    "addresses": "addresses.standardaddress",
    "houses": "registry.house",
    "persons": "registry.person",
    "units": "registry.unit",
}
FILTER_CLASSES: dict[str, type] = {
    "addresses": AddressFilters,
    "houses": HouseFilters,
    "persons": PersonFilters,
    "units": UnitFilters,
}

Progress = Callable[[int, int], None]
Row = list[Any]  # str | int | Decimal | None per column


# ---------------------------------------------------------------------------------------------
# Filters


_TRUE = {"1", "true", "yes", "y", "是", "on"}
_FALSE = {"0", "false", "no", "n", "否", "off"}


def make_filters(kind: str, values: Mapping[str, Any] | Any | None = None) -> Any:
    """The selector's filter dataclass for ``kind`` from a mapping (CLI options, a form's cleaned
    data) or an instance of it. Unknown names and non-yes/no values for yes/no filters raise
    InvalidInput (``unknown_filter``, ``invalid_filter``)."""
    cls = FILTER_CLASSES[kind]
    if values is None:
        return cls()
    if isinstance(values, cls):
        return values
    names = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        name = key.replace("-", "_")
        if name not in names:
            raise InvalidInput(
                code="unknown_filter",
                fields={key: [_("This list cannot be filtered by %(name)s.") % {"name": key}]},
            )
        if value is None or value == "":
            continue
        if "bool" in str(names[name].type):
            if isinstance(value, bool):
                kwargs[name] = value
            elif str(value).strip().lower() in _TRUE:
                kwargs[name] = True
            elif str(value).strip().lower() in _FALSE:
                kwargs[name] = False
            else:
                raise InvalidInput(code="invalid_filter", fields={key: [_("Enter yes or no.")]})
        else:
            kwargs[name] = str(value).strip()
    return cls(**kwargs)


def active_filters(filters: Any) -> dict[str, Any]:
    """The filters that are set, for the audit detail."""
    return {k: v for k, v in dataclasses.asdict(filters).items() if v not in ("", None)}


# ---------------------------------------------------------------------------------------------
# Values


class _Values:
    """Turns stored values into template cells for one actor: labels, masking, ISO dates."""

    def __init__(self, actor: User) -> None:
        from ybss.core.models import Code

        self.actor = actor
        self.labels: dict[str, dict[str, str]] = {}
        for slug, code, label in Code.objects.values_list("codelist_id", "code", "label_zh"):
            self.labels.setdefault(slug, {})[code] = label
        self._usernames: dict[int, str] | None = None

    def label(self, slug: str, code: str | None) -> str | None:
        if not code:
            return None
        return self.labels.get(slug, {}).get(code, code)

    def labels_of(self, slug: str, codes: Any) -> str | None:
        if not codes:
            return None
        return "、".join(self.labels.get(slug, {}).get(c, c) for c in codes)

    def id_number(self, value: str | None) -> str | None:
        return jurisdiction.show_id_number(self.actor, value) or None

    def phone(self, value: str | None) -> str | None:
        return jurisdiction.show_phone(self.actor, value) or None

    def username(self, pk: int | None) -> str | None:
        if pk is None:
            return None
        if self._usernames is None:
            self._usernames = dict(User.objects.values_list("pk", "username"))
        return self._usernames.get(pk)

    @staticmethod
    def date(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    @staticmethod
    def datetime(value: dt.datetime | None) -> str | None:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None

    @staticmethod
    def yes_no(value: bool | None) -> str | None:
        return None if value is None else (YES if value else NO)


def _chunks(it: Iterator[tuple[Any, ...]], size: int = CHUNK) -> Iterator[list[tuple[Any, ...]]]:
    while chunk := list(islice(it, size)):
        yield chunk


def _order(keys: list[str]) -> Callable[[dict[str, Any]], Row]:
    return lambda d: [d.get(k) for k in keys]


def _address_rows(v: _Values, qs: QuerySet[Any], keys: list[str]) -> Iterator[Row]:
    fields = (
        "code", "division_id", "police_unit_id", "road__name", "door_number", "sub_number",
        "compound__name", "building", "unit_no", "floor", "room_no", "common_name", "lng", "lat",
        "source_ref", "parent__road__name", "parent__door_number", "parent__sub_number",
        "parent__compound__name", "parent__building",
    )  # fmt: skip
    row = _order(keys)
    for r in qs.values_list(*fields).iterator(chunk_size=CHUNK):
        (code, div, unit, road, door, sub, compound, building, unit_no, floor, room, common,
         lng, lat, source, p_road, p_door, p_sub, p_compound, p_building) = r  # fmt: skip
        yield row(
            {
                "code": code,
                "division_code": div,
                "police_unit_code": unit,
                # A room address names its door plate's street and number (the importer finds or
                # makes the door plate from them).
                "road": road or p_road,
                "door_number": door or p_door,
                "sub_number": sub or p_sub,
                "compound": compound or p_compound,
                "building": building or p_building,
                "unit_no": unit_no,
                "floor": floor,
                "room_no": room,
                "common_name": common,
                "lng": lng,
                "lat": lat,
                # Coordinates are stored in WGS-84 whatever they were captured in.
                "coord_system": v.label("coord_system", "WGS84") if lng is not None else None,
                "source_ref": source,
            }
        )


def _house_rows(v: _Values, qs: QuerySet[Any], keys: list[str]) -> Iterator[Row]:
    fields = (
        "address__code", "house_type", "structure", "floors", "rooms", "area", "use", "ownership",
        "owner_name", "owner_id_number", "owner_phone", "rental_mode", "rental_start", "rent",
        "rental_filing_no", "security_pledge", "management_level", "source_ref",
    )  # fmt: skip
    row = _order(keys)
    for r in qs.values_list(*fields).iterator(chunk_size=CHUNK):
        (address, house_type, structure, floors, rooms, area, use, ownership, owner, owner_id,
         owner_phone, rental_mode, rental_start, rent, filing, pledge, level, source) = r  # fmt: skip
        yield row(
            {
                "address": address,
                "house_type": v.label("house_type", house_type),
                "structure": v.label("house_structure", structure),
                "floors": floors,
                "rooms": rooms,
                "area": area,
                "use": v.label("house_use", use),
                "ownership": v.label("ownership", ownership),
                "owner_name": owner or None,
                "owner_id_number": v.id_number(owner_id),
                "owner_phone": v.phone(owner_phone),
                "rental_mode": v.label("rental_mode", rental_mode),
                "rental_start": v.date(rental_start),
                "rent": rent,
                "rental_filing_no": filing or None,
                "security_pledge": v.yes_no(pledge),
                "management_level": v.label("management_level", level),
                "source_ref": source or None,
            }
        )


def _residence_rank(r: tuple[Any, ...]) -> tuple[Any, ...]:
    # The residence a person's row shows: the permanent one, else the most recent.
    _pid, rtype, _rel, _reason, since, _code, pk = r
    return (rtype != "permanent", -(since.toordinal() if since else 0), -pk)


def _current_residences(v: _Values, person_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    qs = jurisdiction.scope(Residence.objects.filter(person_id__in=person_ids, active=True), v.actor)
    found: dict[int, list[tuple[Any, ...]]] = {}
    for r in qs.values_list(
        "person_id", "residence_type", "relation", "reason", "since", "house__address__code", "pk"
    ):
        found.setdefault(r[0], []).append(r)
    return {pid: min(rs, key=_residence_rank) for pid, rs in found.items()}


def _person_rows(v: _Values, qs: QuerySet[Any], keys: list[str]) -> Iterator[Row]:
    fields = (
        "pk", "id_type", "id_number", "name", "sex", "ethnicity", "birth_date", "phone",
        "hukou_address_text", "hukou_division_code", "created_by_id", "created_at", "source_ref",
    )  # fmt: skip
    row = _order(keys)
    none = (None, None, None, None, None, None, None)
    for chunk in _chunks(qs.values_list(*fields).iterator(chunk_size=CHUNK)):
        residences = _current_residences(v, [r[0] for r in chunk])
        for r in chunk:
            (pk, id_type, id_number, name, sex, ethnicity, birth, phone, hukou_text, hukou_div,
             created_by, created_at, source) = r  # fmt: skip
            _pid, rtype, relation, reason, since, address, _rpk = residences.get(pk, none)
            yield row(
                {
                    "id_type": v.label("id_type", id_type),
                    "id_number": v.id_number(id_number),
                    "name": name,
                    "sex": v.label("sex", sex),
                    "ethnicity": v.label("ethnicity", ethnicity),
                    "birth_date": v.date(birth),
                    "phone": v.phone(phone),
                    "hukou_address_text": hukou_text or None,
                    "hukou_division_code": hukou_div or None,
                    "address": address,
                    "residence_type": v.label("residence_type", rtype),
                    "relation": v.label("relation", relation),
                    "reason": v.label("residence_reason", reason),
                    "since": v.date(since),
                    "collector": v.username(created_by),
                    "collected_at": v.datetime(created_at),
                    "source_ref": source or None,
                }
            )


def _unit_rows(v: _Values, qs: QuerySet[Any], keys: list[str]) -> Iterator[Row]:
    fields = (
        "name", "credit_code", "category", "industry", "special_trade", "hazards", "legal_rep_name",
        "legal_rep_id_number", "phone", "address__code", "source_ref",
    )  # fmt: skip
    row = _order(keys)
    for r in qs.values_list(*fields).iterator(chunk_size=CHUNK):
        (name, credit, category, industry, trade, hazards, rep, rep_id, phone, address, source) = r
        yield row(
            {
                "name": name,
                "credit_code": credit or None,
                "category": v.label("unit_category", category),
                "industry": v.label("industry", industry),
                "special_trade": v.label("special_trade", trade),
                "hazards": v.labels_of("hazard", hazards),
                "legal_rep_name": rep or None,
                "legal_rep_id_number": v.id_number(rep_id),
                "phone": v.phone(phone),
                "address": address,
                "source_ref": source or None,
            }
        )


_ROWS = {"addresses": _address_rows, "houses": _house_rows, "persons": _person_rows, "units": _unit_rows}
#: The template columns each row builder fills (a column added to columns.py and not here stays empty).
MAPPED_KEYS = {
    "addresses": {
        "code", "division_code", "police_unit_code", "road", "door_number", "sub_number", "compound",
        "building", "unit_no", "floor", "room_no", "common_name", "lng", "lat", "coord_system",
        "source_ref",
    },
    "houses": {
        "address", "house_type", "structure", "floors", "rooms", "area", "use", "ownership",
        "owner_name", "owner_id_number", "owner_phone", "rental_mode", "rental_start", "rent",
        "rental_filing_no", "security_pledge", "management_level", "source_ref",
    },
    "persons": {
        "id_type", "id_number", "name", "sex", "ethnicity", "birth_date", "phone",
        "hukou_address_text", "hukou_division_code", "address", "residence_type", "relation",
        "reason", "since", "collector", "collected_at", "source_ref",
    },
    "units": {
        "name", "credit_code", "category", "industry", "special_trade", "hazards", "legal_rep_name",
        "legal_rep_id_number", "phone", "address", "source_ref",
    },
}  # fmt: skip


def _queryset(
    kind: str, actor: User, filters: Any, *, purpose: str, request: HttpRequest | None, channel: str
) -> QuerySet[Any]:
    if kind == "addresses":
        qs: QuerySet[Any] = address_list(actor=actor, filters=filters)
    elif kind == "houses":
        qs = house_list(actor=actor, filters=filters)
    elif kind == "persons":
        qs = person_list(actor=actor, filters=filters, purpose=purpose, request=request, channel=channel)
    else:
        qs = unit_list(actor=actor, filters=filters)
    # Plain tuples, not model instances; addresses in code order (a door plate before its rooms),
    # the rest in the order they were written.
    return qs.select_related(None).prefetch_related(None).order_by("code" if kind == "addresses" else "pk")


# ---------------------------------------------------------------------------------------------
# The export


def headers(kind: str) -> list[str]:
    """The header row of an export: the template's headers (without the required-mark ``*``)."""
    return [c.header for c in TEMPLATES[kind].columns]


def exporter_label(actor: User) -> str:
    name = getattr(actor, "full_name", "") or ""
    return f"{name}（{actor.username}）" if name and name != actor.username else actor.username


def footer_text(actor: User, at: dt.datetime, rows: int) -> str:
    """The footer row's one cell, e.g.
    ``导出人：张三（zhangsan）  导出时间：2026-11-27 10:00:00  共 12 条``."""
    stamp = timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")
    return f"{FOOTER_PREFIX}：{exporter_label(actor)}  导出时间：{stamp}  共 {rows} 条"


class ExportStream:
    """The rows of one audited export, as an iterator of row lists (template column order).

    Made by ``export_rows``: by then the role has been checked, the selector run and the export
    audited with its row count (``total``). ``rows`` counts what has been yielded so far.
    """

    def __init__(
        self,
        kind: str,
        actor: User,
        filters: Any = None,
        *,
        fmt: str,
        purpose: str = "",
        channel: str = "web",
        request: HttpRequest | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        if kind not in KINDS:
            raise InvalidInput(code="unknown_kind", fields={"kind": [_("Unknown kind of record.")]})
        if not jurisdiction.can_export(actor):
            raise Forbidden()
        self.kind = kind
        self.actor = actor
        self.filters = make_filters(kind, filters)
        self.headers = headers(kind)
        qs = _queryset(kind, actor, self.filters, purpose=purpose, request=request, channel=channel)
        self.total = qs.count()
        self.at = timezone.now()
        self.audit_event: AuditEvent = audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type=OBJECT_TYPES[kind],
            detail={"kind": kind, "format": fmt, "filters": active_filters(self.filters), **(extra or {})},
            purpose=purpose,
            result_count=self.total,
            request=request,
            channel=channel,
        )
        self.rows = 0
        self._it = _ROWS[kind](_Values(actor), qs, [c.key for c in TEMPLATES[kind].columns])

    def __iter__(self) -> ExportStream:
        return self

    def __next__(self) -> Row:
        row = next(self._it)
        self.rows += 1
        return row

    def footer(self) -> str:
        return footer_text(self.actor, self.at, self.rows)


def export_rows(
    kind: str,
    actor: User,
    filters: Any = None,
    *,
    fmt: str = "rows",
    purpose: str = "",
    channel: str = "web",
    request: HttpRequest | None = None,
) -> ExportStream:
    """The rows ``actor`` may export of ``kind`` under ``filters`` (a mapping or the selector's
    filter dataclass), audited now as an export in format ``fmt``. Forbidden for roles without
    ``can_export``; InvalidInput for unknown filters (or an investigator's search without
    ``purpose``). Iterate it for the rows; ``headers`` and ``footer()`` complete a file."""
    return ExportStream(kind, actor, filters, fmt=fmt, purpose=purpose, channel=channel, request=request)


@dataclasses.dataclass(frozen=True)
class ExportResult:
    kind: str
    format: str
    rows: int
    exported_at: dt.datetime
    exporter: str
    audit_event_id: int


def export_to_file(
    kind: str,
    actor: User,
    target: str | os.PathLike[str] | IO[bytes],
    *,
    filters: Any = None,
    fmt: str = "xlsx",
    encoding: str = "utf-8",
    purpose: str = "",
    channel: str = "cli",
    request: HttpRequest | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the export of ``kind`` to ``target`` (a path, or a binary file object) as ``xlsx`` (the
    template layout) or ``csv`` (header, rows, footer; ``encoding`` utf-8 with BOM or gb18030).

    A path is written under a temporary name and renamed when complete, so a failed export leaves
    no half file. ``progress(done, total)`` is called after every chunk of rows. Raises as
    ``export_rows``; InvalidInput for an unknown format or encoding."""
    if fmt not in FORMATS:
        raise InvalidInput(code="unknown_format", fields={"format": [_("Choose xlsx or csv.")]})
    if fmt == "csv" and encoding.lower() not in ENCODINGS:
        raise InvalidInput(code="unknown_encoding", fields={"encoding": [_("Choose utf-8 or gb18030.")]})
    codec = ENCODINGS[encoding.lower()] if fmt == "csv" else None
    extra: dict[str, Any] = {"encoding": "gb18030" if codec == "gb18030" else "utf-8"} if codec else {}
    if isinstance(target, str | os.PathLike):
        extra["file"] = Path(target).name
    stream = ExportStream(
        kind, actor, filters, fmt=fmt, purpose=purpose, channel=channel, request=request, extra=extra
    )
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        part = path.with_name(path.name + ".part")
        try:
            with open(part, "wb") as fh:
                _write(stream, fh, fmt, codec, progress)
            os.replace(part, path)
        finally:
            part.unlink(missing_ok=True)
    else:
        _write(stream, target, fmt, codec, progress)
    return ExportResult(
        kind=kind,
        format=fmt,
        rows=stream.rows,
        exported_at=stream.at,
        exporter=exporter_label(actor),
        audit_event_id=stream.audit_event.pk,
    )


def _write(
    stream: ExportStream, fh: IO[bytes], fmt: str, codec: str | None, progress: Progress | None
) -> None:
    def tick() -> None:
        if progress is not None and stream.rows % CHUNK == 0:
            progress(stream.rows, stream.total)

    if fmt == "csv":
        text = io.TextIOWrapper(fh, encoding=codec or "utf-8-sig", newline="", write_through=False)
        writer = csv.writer(text)
        writer.writerow(stream.headers)
        for row in stream:
            writer.writerow([_csv_cell(v) for v in row])
            tick()
        writer.writerow([stream.footer()])
        text.flush()
        text.detach()
    else:
        layout = Layout(stream.kind)
        for row in stream:
            layout.append(row)
            tick()
        layout.append_footer(stream.footer())
        template = TEMPLATES[stream.kind]
        layout.set_properties(
            creator=exporter_label(stream.actor),
            title=f"{template.title}导出",
            description=stream.footer(),
            created=stream.at.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0),
        )
        layout.save(fh)
    if progress is not None:
        progress(stream.rows, stream.total)


_NUMBER_CHARS = frozenset("0123456789.-+")


def _csv_cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` and
    not a plain number) gets a leading apostrophe (CSV injection)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    if value and value[0] in "=+-@\t\r" and not (value[0] in "+-" and set(value[1:]) <= _NUMBER_CHARS):
        return "'" + value
    return value
