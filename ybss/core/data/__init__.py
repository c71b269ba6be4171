"""Reference data shipped with ybss, read from the JSON files beside this module.

- ``regions.json``: current GB/T 2260 province, city and county-level codes (6 digits) with names, a
  list of abolished codes (still met in ID numbers), and the NBS statistical-only codes for reference.
- ``heyang.json``: 合阳县 (610524) down to its 12 township-level units and their communities/villages
  (NBS 12-digit statistical codes).
- ``codelists.json``: the official code lists loaded into ``core.CodeList``/``core.Code`` by a data
  migration. Each code is ``{"code", "zh", "en"}`` plus an optional ``"note"``; each list may carry an
  optional ``"note"`` too.

The loaders are pure and cached; callers must not mutate what they return.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


def _load(name: str) -> Any:
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


@cache
def _regions_file() -> dict[str, Any]:
    data: dict[str, Any] = _load("regions.json")
    return data


def regions() -> dict[str, str]:
    """Current 6-digit GB/T 2260 codes → names, e.g. ``"610524": "合阳县"``."""
    result: dict[str, str] = _regions_file()["regions"]
    return result


def abolished_regions() -> list[dict[str, Any]]:
    """Abolished 6-digit codes: ``{"code", "name", "parent", "from", "until", "successors"}``."""
    result: list[dict[str, Any]] = _regions_file()["abolished"]
    return result


@cache
def known_region_codes() -> frozenset[str]:
    """Every 6-digit code that is real today or was real once (current + abolished)."""
    return frozenset(regions()) | frozenset(a["code"] for a in abolished_regions())


@cache
def heyang() -> dict[str, Any]:
    """The 合阳县 tree: ``{"province", "city", "county", "towns": [{"code", "name", "villages": [...]}]}``."""
    data: dict[str, Any] = _load("heyang.json")
    return data


@cache
def codelists() -> list[dict[str, Any]]:
    """The code lists: ``[{"slug", "name_zh", "name_en", "standard", "codes": [{"code", "zh", "en"}]}]``."""
    data: list[dict[str, Any]] = _load("codelists.json")["lists"]
    return data
