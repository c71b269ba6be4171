"""How a standard address's full name is derived from its parts (pure; no ORM).

One function, :func:`full_name`, used wherever a full name is stored (services, imports, the demo),
so that the same parts always give the same text:

    陕西省渭南市合阳县城关街道凤凰路18号金水小区3号楼2单元501室
    陕西省渭南市合阳县甘井镇麻阳社区3组12号

Rules:

* The division path (province → city → county → township → community/village) comes first. A
  street (街路巷) is named county-wide, so an address on a street leaves the community out; a
  villager group (组) only exists inside its village, so an address on a group keeps it.
* Door number: prefix + number + "号" + suffix, then "附N号" for a sub-number.
* Compound or unit yard name as given; a building that is only digits gets "号楼"
  ("3" → "3号楼"); one already ending in 号楼/栋/幢/座 is kept.
* Unit digits get "单元"; a room gets "室"; a floor without a room gets "N层" ("B1层" underground).
"""

from __future__ import annotations

from collections.abc import Sequence

BUILDING_SUFFIXES = ("号楼", "栋", "幢", "座")


def building_label(building: str) -> str:
    """The building as written in a full name: "3" → "3号楼"; "A座", "2栋" unchanged."""
    if not building:
        return ""
    return f"{building}号楼" if building.isdigit() else building


def full_name(
    *,
    division_path: Sequence[str],
    street: str = "",
    group: str = "",
    door_prefix: str = "",
    door_number: str = "",
    door_suffix: str = "",
    sub_number: str = "",
    compound: str = "",
    building: str = "",
    unit_no: str = "",
    floor: int | None = None,
    room_no: str = "",
) -> str:
    """The full name of an address from its parts (see the module docstring for the rules).

    ``division_path`` lists the division names from the province down to the community or
    village. Give ``street`` or ``group`` (not both); with ``street`` the last (community) name
    is left out. Empty parts are skipped.
    """
    if street and group:
        raise ValueError("an address lies on a street or on a villager group, not both")
    path = list(division_path)
    if street and len(path) >= 5:
        path = path[:-1]
    parts = ["".join(path), street, group]
    if door_number:
        parts.append(f"{door_prefix}{door_number}号{door_suffix}")
        if sub_number:
            parts.append(f"附{sub_number}号")
    parts.append(compound)
    parts.append(building_label(building))
    if unit_no:
        parts.append(f"{unit_no}单元" if unit_no.isdigit() else unit_no)
    if room_no:
        parts.append(f"{room_no}室")
    elif floor is not None:
        parts.append(f"B{-floor}层" if floor < 0 else f"{floor}层")
    return "".join(parts)
