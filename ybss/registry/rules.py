"""Cross-entity rules for houses, persons, residences and units (DOMAIN.md §4 and §5).

Pure functions over plain values: services load what a rule needs and pass it in, quality scans
do the same in bulk. Each returns a tuple of :class:`~ybss.core.findings.Finding` (empty when the
rule holds) and never touches the database. Unknown inputs (a missing birth date, area or
boundary) are not findings here; completeness is checked elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ybss.core.findings import Finding

Role = Literal["legal_rep", "landlord", "security_lead", "householder", "employee"]

# The youngest age, in completed years, at which a person may hold each role.
MIN_AGE_BY_ROLE: Final[Mapping[str, int]] = MappingProxyType(
    {"legal_rep": 18, "landlord": 18, "security_lead": 18, "householder": 16, "employee": 16}
)
ROLE_LABELS: Final = MappingProxyType(
    {
        "legal_rep": _("legal representative"),  # zh: 法定代表人
        "landlord": _("landlord"),  # zh: 房东
        "security_lead": _("security lead"),  # zh: 内保负责人
        "householder": _("householder"),  # zh: 户主
        "employee": _("employee"),  # zh: 从业人员
    }
)

# Fewer square metres than this per registered occupant flags a house as overcrowded.
MIN_AREA_PER_OCCUPANT_M2: Final = 5
# With no recorded area, more occupants than this flags a house.
MAX_OCCUPANTS_WITHOUT_AREA: Final = 20

RESIDENCE_TYPES: Final = frozenset({"permanent", "lodging", "floating", "foreign", "unregistered"})
ACTIVE_ADDRESS_STATUS: Final = "accepted"
RENTED_HOUSE_USE: Final = "rented"

# Digits of each level of a 12-digit division code: province, city, county, township, village.
_DIVISION_LEVELS: Final = (2, 2, 2, 3, 3)


def age_on(birth_date: date, on: date) -> int:
    """Age in completed years on ``on`` (the birthday itself counts; 29 Feb turns over on 1 Mar)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def check_role_age(birth_date: date | None, role: Role, on: date) -> tuple[Finding, ...]:
    """A person holding ``role`` on ``on`` must be old enough (DOMAIN §5: no 6-year-old landlord).

    Error ``age.birth_future`` when the birth date is after ``on``; error ``age.too_young_for_role``
    when younger than :data:`MIN_AGE_BY_ROLE`. No finding for an unknown birth date. Raises
    ValueError for an unknown role.
    """
    if role not in MIN_AGE_BY_ROLE:
        raise ValueError(f"unknown role {role!r}")
    if birth_date is None:
        return ()
    if birth_date > on:
        # zh: 出生日期晚于当前日期。
        return (Finding("age.birth_future", _("The birth date is in the future."), field="birth_date"),)
    min_age = MIN_AGE_BY_ROLE[role]
    if age_on(birth_date, on) >= min_age:
        return ()
    message = format_lazy(
        # zh: 年龄不足：担任{role}须年满 {min_age} 周岁。
        _("Too young to be the {role}: the minimum age is {min_age}."),
        role=ROLE_LABELS[role],
        min_age=min_age,
    )
    return (Finding("age.too_young_for_role", message),)


def check_occupancy(area_m2: Decimal | float | None, occupants: int) -> tuple[Finding, ...]:
    """Warning ``house.overcrowded`` when the registered occupants do not fit the house.

    With a known positive area: fewer than :data:`MIN_AREA_PER_OCCUPANT_M2` m² per occupant
    (25 people in 30 m² is flagged; exactly 5 m² each is not). Without an area: more than
    :data:`MAX_OCCUPANTS_WITHOUT_AREA` occupants. A zero or negative area counts as unknown.
    """
    if occupants <= 0:
        return ()
    if area_m2 is not None and area_m2 > 0:
        crowded = area_m2 < MIN_AREA_PER_OCCUPANT_M2 * occupants
    else:
        crowded = occupants > MAX_OCCUPANTS_WITHOUT_AREA
    if not crowded:
        return ()
    finding = Finding(
        "house.overcrowded",
        # zh: 登记居住人数与房屋面积不相称，请核实。
        _("More people are registered here than the house can reasonably hold; please verify."),
        "warning",
    )
    return (finding,)


def division_prefix(code: str) -> str:
    """A division code without its unspecified (all-zero) trailing levels.

    "610524000000" and "610524" → "610524"; "610500" → "6105". A code lies inside a division
    when it starts with the division's prefix.
    """
    digits = code.strip().ljust(sum(_DIVISION_LEVELS), "0")
    widths = list(_DIVISION_LEVELS)
    while widths:
        end = sum(widths[:-1])
        if set(digits[end : end + widths[-1]]) != {"0"}:
            break
        digits = digits[:end]
        widths.pop()
    return digits


def _in_county(hukou_division_code: str | None, county_code: str) -> bool:
    if not hukou_division_code:
        return False
    return hukou_division_code.strip().startswith(division_prefix(county_code))


def check_residence_type(
    residence_type: str, hukou_division_code: str | None, county_code: str
) -> tuple[Finding, ...]:
    """The residence type must agree with where the person's hukou is (DOMAIN §4 Person).

    常住 ``permanent`` and 寄住 ``lodging`` need a hukou inside the county (its code starts with
    ``county_code``; a 6- or 12-digit county code both work); 流动 ``floating`` needs one outside
    it. A missing hukou fails the first three. ``foreign`` and ``unregistered`` are not checked.
    Errors: ``residence.permanent_needs_county_hukou``, ``residence.lodging_needs_county_hukou``,
    ``residence.floating_needs_outside_hukou``. Raises ValueError for an unknown type or an
    empty county code.
    """
    if residence_type not in RESIDENCE_TYPES:
        raise ValueError(f"unknown residence type {residence_type!r}")
    if not division_prefix(county_code):
        raise ValueError("county_code is empty")
    in_county = _in_county(hukou_division_code, county_code)
    if residence_type == "permanent" and not in_county:
        finding = Finding(
            "residence.permanent_needs_county_hukou",
            # zh: 常住人口的户籍地须在本县。
            _("A permanent resident must have a hukou in this county."),
            field="residence_type",
        )
        return (finding,)
    if residence_type == "lodging" and not in_county:
        finding = Finding(
            "residence.lodging_needs_county_hukou",
            # zh: 寄住人口的户籍地须在本县。
            _("A lodging resident must have a hukou in this county."),
            field="residence_type",
        )
        return (finding,)
    if residence_type == "floating" and (in_county or not hukou_division_code):
        finding = Finding(
            "residence.floating_needs_outside_hukou",
            # zh: 流动人口的户籍地须在本县以外。
            _("A floating resident must have a hukou outside this county."),
            field="residence_type",
        )
        return (finding,)
    return ()


def is_household_separated(hukou_division_code: str | None, residence_division_code: str) -> bool:
    """人户分离: the registered and the actual address lie in different townships.

    Compares the first 9 digits (province, city, county, township) level by level. A level that
    either code leaves unspecified (all zeros, or missing) ends the comparison: separation is
    only reported when a known level differs. No hukou → False.
    """
    if not hukou_division_code:
        return False
    hukou = hukou_division_code.strip().ljust(12, "0")
    residence = residence_division_code.strip().ljust(12, "0")
    start = 0
    for width in _DIVISION_LEVELS[:4]:
        a, b = hukou[start : start + width], residence[start : start + width]
        if set(a) <= {"0"} or set(b) <= {"0"}:
            return False
        if a != b:
            return True
        start += width
    return False


def check_single_active_permanent(existing_active_types: Iterable[str], new_type: str) -> tuple[Finding, ...]:
    """A person has at most one active 常住 residence: error ``residence.second_permanent``."""
    if new_type != "permanent" or "permanent" not in set(existing_active_types):
        return ()
    finding = Finding(
        "residence.second_permanent",
        # zh: 该人员已有一处有效的常住登记。
        _("This person already has an active permanent residence."),
        field="residence_type",
    )
    return (finding,)


def check_rental_landlord(house_use: str, landlord_present: bool) -> tuple[Finding, ...]:
    """A rented house needs a landlord: error ``house.rental_without_landlord``."""
    if house_use != RENTED_HOUSE_USE or landlord_present:
        return ()
    # zh: 出租房屋须登记房东。
    return (
        Finding("house.rental_without_landlord", _("A rented house needs a landlord."), field="landlord"),
    )


def check_unit_address_active(address_status: str | None) -> tuple[Finding, ...]:
    """A unit's standard address must exist and be in force (status "accepted").

    Errors ``unit.address_missing`` (no address) and ``unit.address_inactive`` (any other status).
    """
    if address_status is None:
        # zh: 单位须关联标准地址。
        return (Finding("unit.address_missing", _("The unit needs a standard address."), field="address"),)
    if address_status != ACTIVE_ADDRESS_STATUS:
        finding = Finding(
            "unit.address_inactive",
            # zh: 单位关联的标准地址不是有效状态。
            _("The unit's standard address is not in force."),
            field="address",
        )
        return (finding,)
    return ()


def _outside_boundary() -> tuple[Finding, ...]:
    finding = Finding(
        "address.coords_outside_boundary",
        # zh: 坐标位于所属辖区边界之外，请核对标注位置。
        _("The coordinates fall outside the area's boundary; please check the map position."),
        "warning",
        field="location",
    )
    return (finding,)


def check_point_in_bbox(
    lng: float | None, lat: float | None, bbox: tuple[float, float, float, float] | None
) -> tuple[Finding, ...]:
    """Warning ``address.coords_outside_boundary`` when a point lies outside a bounding box.

    ``bbox`` is (min_lng, min_lat, max_lng, max_lat) in the same datum as the point (WGS-84);
    its edges count as inside. No boundary or no point → no finding.
    """
    if bbox is None or lng is None or lat is None:
        return ()
    min_lng, min_lat, max_lng, max_lat = bbox
    if min_lng <= lng <= max_lng and min_lat <= lat <= max_lat:
        return ()
    return _outside_boundary()


def _on_segment(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> bool:
    cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
    if abs(cross) > 1e-12:
        return False
    return min(ax, bx) <= px <= max(ax, bx) and min(ay, by) <= py <= max(ay, by)


def point_in_polygon(lng: float, lat: float, polygon: Sequence[tuple[float, float]]) -> bool:
    """Even-odd ray casting over one ring of (lng, lat) vertices; points on an edge are inside.

    The ring may or may not repeat its first vertex at the end. Raises ValueError for fewer than
    three vertices.
    """
    if len(polygon) < 3:
        raise ValueError("a polygon needs at least three vertices")
    inside = False
    previous = polygon[-1]
    for current in polygon:
        (ax, ay), (bx, by) = previous, current
        if _on_segment(lng, lat, ax, ay, bx, by):
            return True
        if (ay > lat) != (by > lat) and lng < ax + (lat - ay) * (bx - ax) / (by - ay):
            inside = not inside
        previous = current
    return inside


def check_point_in_polygon(
    lng: float | None, lat: float | None, polygon: Sequence[tuple[float, float]] | None
) -> tuple[Finding, ...]:
    """Warning ``address.coords_outside_boundary`` when a point lies outside a boundary ring.

    ``polygon`` is a single ring of (lng, lat) in the point's datum (WGS-84); holes and
    multi-part boundaries are not supported. No boundary or no point → no finding.
    """
    if polygon is None or lng is None or lat is None:
        return ()
    if point_in_polygon(lng, lat, polygon):
        return ()
    return _outside_boundary()
