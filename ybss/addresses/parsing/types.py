"""The parser's plain results (no ORM): character spans and a parsed address.

Offsets are ``[start, end)`` character indices into the text as given (before normalisation), so a
page can highlight what each part of the officer's own text was read as.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The police levels of ``ParsedAddress.components``, from the top down.
POLICE_LEVELS = (
    "province",
    "city",
    "county",
    "town",
    "community",
    "village",
    "group",
    "road",
    "door_number",
    "sub_number",
    "compound",
    "building",
    "unit",
    "floor",
    "room",
    "poi",
)

#: The 21 labels of the public address-parsing set (DOMAIN.md §12).
CCKS_LABELS = (
    "prov",
    "city",
    "district",
    "devzone",
    "town",
    "community",
    "road",
    "roadno",
    "subroad",
    "subroadno",
    "poi",
    "subpoi",
    "houseno",
    "cellno",
    "floorno",
    "roomno",
    "person",
    "assist",
    "redundant",
    "country",
    "otherinfo",
)


@dataclass(frozen=True, slots=True)
class Span:
    """One labelled piece of the original text: ``text == original[start:end]``."""

    label: str
    text: str
    start: int
    end: int


@dataclass
class ParsedAddress:
    """What :func:`ybss.addresses.parsing.parse` read in one address text.

    ``components`` are the police levels (labels in :data:`POLICE_LEVELS`), ``labels`` the CCKS
    labels (:data:`CCKS_LABELS`), both as spans into ``text``. ``values`` holds the canonical value
    of each police level after normalisation (``{"town": "城关街道", "group": "3", "building":
    "12", "unit": "3", "room": "1001", "door_number": "18", "floor": "-1"}``). ``codes`` holds
    the division codes (12 digits) the divisions were recognised as, by level, where known.
    """

    text: str
    normalised: str
    components: list[Span]
    labels: list[Span]
    values: dict[str, str]
    codes: dict[str, str] = field(default_factory=dict)
