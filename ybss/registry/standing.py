"""Standing lists (常态化清单): the registers a station keeps an eye on every day.

Each list is a scoped queryset (``jurisdiction.scope``) of one model, narrowed by either hierarchy
(a police-unit or division code prefix) and by the list's own parameters, and a row function that
turns one record into display values, masking ID numbers and phones by role. ``STANDING_LISTS``
describes them all (code, label, description, parameters) so the pages, the API and the export are
generic.

The lists and their parameters:

* ``inflow_rentals``: current 流动 (floating) residences in houses whose use is ``rented``.
* ``separated``: current residences flagged 人户分离 (``Residence.separated``).
* ``visa_expiring``: persons of a nationality other than CHN whose ``visa_expiry`` lies between
  today and today + ``days`` (default 30, 1–365).
* ``special_units``: units with a special trade or any hazardous goods, each with its current
  employees (one prefetch, no query per unit).
* ``overcrowded``: houses with current residents n where n > ``max_residents`` (default 10), or
  n > rooms × ``per_room`` (default 2; when rooms is known), or area < n × ``min_area`` (default
  5 m²; when the area is known).
* ``unfiled_rentals``: houses whose use is ``rented`` with an empty rental filing number.

Voided records are left out of every list. Reads of a list page are audited as a search of the
list (``standing_rows``); an export needs a stated purpose and is audited as an export with its row
count (``standing_xlsx``). The counts of the index page read no personal data and are not audited.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.core import codes
from ybss.core.errors import Forbidden, InvalidInput, NotFound
from ybss.org import jurisdiction
from ybss.org.models import User

from .models import Employment, House, Person, Residence, ResidenceType, Unit

_PREFIX = re.compile(r"^[0-9]{2,12}$")
#: An export writes at most this many rows (a county's largest list is far below it).
EXPORT_MAX_ROWS = 200_000


@dataclass(frozen=True)
class Param:
    """An integer parameter of a list, validated to ``minimum``–``maximum``."""

    name: str
    label: Any
    default: int
    minimum: int
    maximum: int
    help: Any = ""


@dataclass(frozen=True)
class Column:
    key: str
    label: Any


@dataclass(frozen=True)
class StandingFilters:
    """The hierarchy filters every list takes (code prefixes, '' = the whole jurisdiction)."""

    police_unit: str = ""
    division: str = ""


@dataclass(frozen=True)
class Row:
    """One row of a list: the record it links to and its display values by column key."""

    record_type: str
    record_id: int
    cells: dict[str, str]
    #: For the units list: the unit's current employees (name, masked ID, post).
    children: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class StandingList:
    code: str
    label: Any
    description: Any
    model: type[Any]
    params: tuple[Param, ...]
    columns: tuple[Column, ...]
    #: (scoped queryset of ``model``, validated params, actor) → the list's queryset.
    query: Callable[[QuerySet[Any], dict[str, int], User], QuerySet[Any]]
    #: (record, actor) → display values; must not query (the query owns its joins).
    row: Callable[[Any, User], Row]


def _label(slug: str, code: str | None) -> str:
    return codes.label(slug, code) or (code or "")


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


# --- rows -------------------------------------------------------------------------------------

_PERSON_COLUMNS = (
    Column("name", _("Name")),
    Column("id_number", _("ID number")),
    Column("phone", _("Phone")),
    Column("address", _("Address")),
    Column("residence_type", _("Residence type")),
    Column("reason", _("Reason for living here")),
    Column("since", _("Since")),
    Column("hukou", _("Registered domicile")),
    Column("police_unit", _("Police unit")),
)


def _residence_row(r: Residence, actor: User) -> Row:
    p = r.person
    return Row(
        record_type="registry.person",
        record_id=p.pk,
        cells={
            "name": p.name,
            "id_number": jurisdiction.show_id_number(actor, p.id_number),
            "phone": jurisdiction.show_phone(actor, p.phone),
            "address": r.house.address.full_name,
            "residence_type": str(ResidenceType(r.residence_type).label)
            if r.residence_type in ResidenceType.values
            else r.residence_type,
            "reason": _label("residence_reason", r.reason),
            "since": _date(r.since),
            "hukou": p.hukou_address_text or p.hukou_division_code,
            "police_unit": r.police_unit.name,
        },
    )


def _residences(base: QuerySet[Residence]) -> QuerySet[Residence]:
    return (
        base.filter(active=True)
        .exclude(status="voided")
        .select_related("person", "house__address", "police_unit")
        .order_by("-id")
    )


def _inflow_rentals(qs: QuerySet[Residence], params: dict[str, int], actor: User) -> QuerySet[Residence]:
    return _residences(qs).filter(residence_type=ResidenceType.FLOATING, house__use="rented")


def _separated(qs: QuerySet[Residence], params: dict[str, int], actor: User) -> QuerySet[Residence]:
    return _residences(qs).filter(separated=True)


def _visa_expiring(qs: QuerySet[Person], params: dict[str, int], actor: User) -> QuerySet[Person]:
    today = timezone.localdate()
    return (
        qs.filter(visa_expiry__range=(today, today + dt.timedelta(days=params["days"])))
        .exclude(nationality="CHN")
        .exclude(status="voided")
        .select_related("police_unit")
        .order_by("visa_expiry", "id")
    )


def _visa_row(p: Person, actor: User) -> Row:
    return Row(
        record_type="registry.person",
        record_id=p.pk,
        cells={
            "name": p.name,
            "foreign_name": " ".join(x for x in (p.foreign_surname, p.foreign_given_name) if x),
            "nationality": _label("nationality", p.nationality),
            "id_number": jurisdiction.show_id_number(actor, p.id_number),
            "phone": jurisdiction.show_phone(actor, p.phone),
            "visa_type": _label("visa_type", p.visa_type),
            "visa_expiry": _date(p.visa_expiry),
            "police_unit": p.police_unit.name,
        },
    )


def _special_units(qs: QuerySet[Unit], params: dict[str, int], actor: User) -> QuerySet[Unit]:
    employees = (
        jurisdiction.scope(Employment.objects.filter(active=True), actor)
        .exclude(status="voided")
        .select_related("person")
        .order_by("id")
    )
    return (
        qs.filter(~Q(special_trade="") | ~Q(hazards=[]))
        .exclude(status="voided")
        .select_related("address", "police_unit")
        .prefetch_related(Prefetch("employments", queryset=employees, to_attr="current_employees"))
        .order_by("name", "id")
    )


def _unit_row(u: Unit, actor: User) -> Row:
    employees: list[Employment] = getattr(u, "current_employees", [])  # the Prefetch's to_attr
    return Row(
        record_type="registry.unit",
        record_id=u.pk,
        cells={
            "name": u.name,
            "special_trade": _label("special_trade", u.special_trade),
            "hazards": "、".join(_label("hazard", h) for h in (u.hazards or [])),
            "address": u.address.full_name,
            "legal_rep": u.legal_rep_name,
            "legal_rep_phone": jurisdiction.show_phone(actor, u.legal_rep_phone),
            "employees": str(len(employees)),
            "police_unit": u.police_unit.name,
        },
        children=[
            {
                "person_id": str(e.person_id),
                "name": e.person.name,
                "id_number": jurisdiction.show_id_number(actor, e.person.id_number),
                "phone": jurisdiction.show_phone(actor, e.person.phone),
                "post": e.post,
            }
            for e in employees
        ],
    )


def _houses(qs: QuerySet[House]) -> QuerySet[House]:
    return qs.exclude(status="voided").select_related("address", "police_unit")


def _overcrowded(qs: QuerySet[House], params: dict[str, int], actor: User) -> QuerySet[House]:
    # Grouping the current residences by house (with the house's rooms and area) is one pass over
    # the residence table; grouping the houses with all their joined columns took 13 s for a county
    # on SQLite. The page's rows get their count from a correlated subquery (50 rows).
    live = Residence.objects.filter(active=True).exclude(status="voided")
    crowded = (
        Q(n__gt=params["max_residents"])
        | Q(house__rooms__isnull=False, house__rooms__gt=0, n__gt=F("house__rooms") * params["per_room"])
        | Q(house__area__isnull=False, house__area__lt=F("area_needed"))
    )
    crowded_ids = (
        live.filter(house__in=qs.values("pk"))
        .order_by()
        .values("house_id", "house__rooms", "house__area")
        .annotate(
            n=Count("id"),
            area_needed=ExpressionWrapper(
                Count("id") * Value(Decimal(params["min_area"])),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
        )
        .filter(crowded)
        .values("house_id")
    )
    per_house = live.filter(house=OuterRef("pk")).order_by().values("house").annotate(n=Count("id"))
    return (
        _houses(qs)
        .filter(pk__in=crowded_ids)
        .annotate(n_residents=Subquery(per_house.values("n"), output_field=IntegerField()))
        .order_by("-n_residents", "id")
    )


def _unfiled_rentals(qs: QuerySet[House], params: dict[str, int], actor: User) -> QuerySet[House]:
    return _houses(qs).filter(use="rented", rental_filing_no="").order_by("-id")


def _house_row(h: House, actor: User) -> Row:
    return Row(
        record_type="registry.house",
        record_id=h.pk,
        cells={
            "address": h.address.full_name,
            "use": _label("house_use", h.use),
            "rooms": "" if h.rooms is None else str(h.rooms),
            "area": "" if h.area is None else f"{h.area:g}",
            "residents": str(getattr(h, "n_residents", "")),
            "owner": h.owner_name,
            "owner_phone": jurisdiction.show_phone(actor, h.owner_phone),
            "rental_filing_no": h.rental_filing_no,
            "police_unit": h.police_unit.name,
        },
    )


_HOUSE_COLUMNS = (
    Column("address", _("Address")),
    Column("use", _("Use")),
    Column("rooms", _("Rooms")),
    Column("area", _("Area (m²)")),
    Column("owner", _("Owner")),
    Column("owner_phone", _("Owner phone")),
    Column("police_unit", _("Police unit")),
)

STANDING_LISTS: dict[str, StandingList] = {
    s.code: s
    for s in (
        StandingList(
            code="inflow_rentals",
            label=_("Inflow persons in rented houses"),
            description=_("Current floating (inflow) residents of houses whose use is “rented”."),
            model=Residence,
            params=(),
            columns=_PERSON_COLUMNS,
            query=_inflow_rentals,
            row=_residence_row,
        ),
        StandingList(
            code="separated",
            label=_("Household separated"),
            description=_(
                "Current residences whose registered domicile and actual address differ at township level."
            ),
            model=Residence,
            params=(),
            columns=_PERSON_COLUMNS,
            query=_separated,
            row=_residence_row,
        ),
        StandingList(
            code="visa_expiring",
            label=_("Foreigners whose visas expire soon"),
            description=_(
                "Persons of a nationality other than Chinese whose visa expires between today and the "
                "given number of days from today."
            ),
            model=Person,
            params=(Param("days", _("Within days"), 30, 1, 365, _("1 to 365 days from today")),),
            columns=(
                Column("name", _("Name")),
                Column("foreign_name", _("Foreign name")),
                Column("nationality", _("Nationality")),
                Column("id_number", _("Document number")),
                Column("phone", _("Phone")),
                Column("visa_type", _("Visa type")),
                Column("visa_expiry", _("Visa expiry")),
                Column("police_unit", _("Police unit")),
            ),
            query=_visa_expiring,
            row=_visa_row,
        ),
        StandingList(
            code="special_units",
            label=_("Special-trade and hazardous units"),
            description=_(
                "Units of a special trade or holding hazardous goods, with their current employees."
            ),
            model=Unit,
            params=(),
            columns=(
                Column("name", _("Unit name")),
                Column("special_trade", _("Special trade")),
                Column("hazards", _("Hazardous goods")),
                Column("address", _("Address")),
                Column("legal_rep", _("Legal representative")),
                Column("legal_rep_phone", _("Legal representative phone")),
                Column("employees", _("Current employees")),
                Column("police_unit", _("Police unit")),
            ),
            query=_special_units,
            row=_unit_row,
        ),
        StandingList(
            code="overcrowded",
            label=_("Overcrowded houses"),
            description=_(
                "Houses whose current residents exceed the limit per house, or exceed the limit per "
                "room (when the rooms are known), or leave less than the minimum floor area per "
                "resident (when the area is known)."
            ),
            model=House,
            params=(
                Param("max_residents", _("Residents per house above"), 10, 1, 1000),
                Param("per_room", _("Residents per room above"), 2, 1, 50),
                Param("min_area", _("Square metres per resident below"), 5, 1, 100),
            ),
            columns=(*_HOUSE_COLUMNS[:4], Column("residents", _("Current residents")), *_HOUSE_COLUMNS[4:]),
            query=_overcrowded,
            row=_house_row,
        ),
        StandingList(
            code="unfiled_rentals",
            label=_("Rented houses without filing"),
            description=_("Houses whose use is “rented” and that have no rental filing number."),
            model=House,
            params=(),
            columns=_HOUSE_COLUMNS,
            query=_unfiled_rentals,
            row=_house_row,
        ),
    )
}


def standing_list_get(code: str) -> StandingList:
    """The list named ``code`` (NotFound otherwise)."""
    spec = STANDING_LISTS.get(code)
    if spec is None:
        raise NotFound()
    return spec


def _parse_int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    text = str(raw).strip()
    if not text or len(text) > 6 or not text.isascii() or not text.lstrip("-").isdigit():
        return None
    return int(text)


def standing_params(spec: StandingList, raw: Mapping[str, Any]) -> dict[str, int]:
    """The list's parameters from ``raw`` (strings from a query string): the default where blank,
    InvalidInput with a field error where not a whole number in range."""
    out: dict[str, int] = {}
    errors: dict[str, list[Any]] = {}
    for p in spec.params:
        value = raw.get(p.name, "")
        if value is None or (isinstance(value, str) and not value.strip()):
            out[p.name] = p.default
            continue
        n = _parse_int(value)
        if n is None or not p.minimum <= n <= p.maximum:
            errors[p.name] = [
                _("Enter a whole number from %(min)s to %(max)s.") % {"min": p.minimum, "max": p.maximum}
            ]
            continue
        out[p.name] = n
    if errors:
        raise InvalidInput(code="invalid_parameter", fields=errors)
    return out


def standing_filters(raw: Mapping[str, Any]) -> StandingFilters:
    """The hierarchy filters from ``raw``: each a 2–12 digit code prefix or blank (field error)."""
    errors: dict[str, list[Any]] = {}
    values: dict[str, str] = {}
    for name in ("police_unit", "division"):
        value = str(raw.get(name) or "").strip()
        if value and not _PREFIX.match(value):
            errors[name] = [_("Enter a code prefix of 2 to 12 digits.")]
        values[name] = value
    if errors:
        raise InvalidInput(code="invalid_filter", fields=errors)
    return StandingFilters(**values)


def _query(
    actor: User, spec: StandingList, filters: StandingFilters, params: dict[str, int]
) -> QuerySet[Any]:
    qs = jurisdiction.scope(spec.model.objects.all(), actor)
    if filters.police_unit:
        qs = qs.filter(jurisdiction.subtree_q("police_unit", filters.police_unit))
    if filters.division:
        qs = qs.filter(jurisdiction.subtree_q("division", filters.division))
    return spec.query(qs, params, actor)


def standing_rows(
    *,
    actor: User,
    code: str,
    filters: StandingFilters | None = None,
    params: Mapping[str, Any] | None = None,
    purpose: str = "",
    request: HttpRequest | None = None,
    channel: str = "web",
) -> tuple[StandingList, dict[str, int], QuerySet[Any]]:
    """The list ``code`` in ``actor``'s scope under ``filters`` and its parameters (validated:
    InvalidInput with field errors). Audited as a search of the list. Returns the list, the
    parameters used and the queryset (turn records into rows with ``spec.row``)."""
    spec = standing_list_get(code)
    f = filters or StandingFilters()
    values = standing_params(spec, params or {})
    qs = _query(actor, spec, f, values)
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        object_type=f"standing.{spec.code}",
        detail={"list": spec.code, **{k: v for k, v in f.__dict__.items() if v}, **values},
        purpose=purpose[:200],
        request=request,
        channel=channel,
    )
    return spec, values, qs


def to_rows(spec: StandingList, records: Iterable[Any], actor: User) -> list[Row]:
    return [spec.row(r, actor) for r in records]


@dataclass(frozen=True)
class ListCount:
    spec: StandingList
    count: int


def standing_counts(*, actor: User, filters: StandingFilters | None = None) -> list[ListCount]:
    """Every list with its row count in ``actor``'s scope (default parameters); not audited: no
    personal data leaves."""
    f = filters or StandingFilters()
    return [
        ListCount(spec, _query(actor, spec, f, standing_params(spec, {})).count())
        for spec in STANDING_LISTS.values()
    ]


def standing_xlsx(
    *,
    actor: User,
    code: str,
    filters: StandingFilters | None = None,
    params: Mapping[str, Any] | None = None,
    purpose: str,
    request: HttpRequest | None = None,
    channel: str = "web",
) -> bytes:
    """The list as an Excel workbook, identifiers masked by role. Needs an export role (Forbidden)
    and a stated purpose (InvalidInput ``purpose_required``); audited as one export with its
    purpose and row count."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if not jurisdiction.can_export(actor):
        raise Forbidden()
    if not purpose.strip():
        raise InvalidInput(
            code="purpose_required", fields={"purpose": [_("State the purpose of this export.")]}
        )
    spec = standing_list_get(code)
    f = filters or StandingFilters()
    values = standing_params(spec, params or {})
    qs = _query(actor, spec, f, values)
    wb = Workbook()
    ws = wb.active
    # Excel sheet names may not hold []:*?/\ and are at most 31 characters.
    ws.title = re.sub(r"[\[\]:*?/\\]", "·", str(spec.label))[:31]
    with_children = spec.model is Unit
    head = [str(c.label) for c in spec.columns]
    if with_children:
        head += [str(_("Employee")), str(_("Employee ID number")), str(_("Employee phone")), str(_("Post"))]
    ws.append(head)
    for c in ws[1]:
        c.font = Font(bold=True)
    n = 0
    for record in qs.iterator(chunk_size=2000):
        if n >= EXPORT_MAX_ROWS:
            break
        row = spec.row(record, actor)
        cells = [row.cells.get(c.key, "") for c in spec.columns]
        n += 1
        if with_children and row.children:
            for child in row.children:
                ws.append([*cells, child["name"], child["id_number"], child["phone"], child["post"]])
        else:
            ws.append(cells)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=f"standing.{spec.code}",
        detail={"list": spec.code, "format": "xlsx", **{k: v for k, v in f.__dict__.items() if v}, **values},
        purpose=purpose.strip()[:200],
        result_count=n,
        request=request,
        channel=channel,
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
