"""What every quality check returns: a ``Finding`` (pure data, no ORM), and the categories.

A check never raises on bad data: it returns findings. The scan (``quality.scan``) turns them into
problems in the ledger (``quality.models.Problem``), keyed by ``Finding.fingerprint`` so that the
same finding on the next scan updates its problem instead of opening another one.

Evidence is plain JSON for the reviewer: which values, which other records, the score's parts.
ID numbers and phones in evidence are masked (``core.identifiers.mask_*``): the ledger is read by
more roles than see them in full, and it is exported.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

#: Category code → (label, group). Groups: 校验 rules, 重复 duplicates, 造假 signs of fabrication.
CATEGORIES: dict[str, tuple[Any, str]] = {
    # rules (DOMAIN.md §5)
    "id_invalid": (_("ID number invalid"), "rule"),
    "id_mismatch": (_("ID number disagrees with sex or birth date"), "rule"),
    "phone_invalid": (_("Phone number invalid"), "rule"),
    "credit_code_invalid": (_("Credit code invalid"), "rule"),
    "missing_field": (_("Required information missing"), "rule"),
    "role_age": (_("Age does not fit the role"), "rule"),
    "residence_rule": (_("Residence type disagrees with the hukou"), "rule"),
    "rental_no_landlord": (_("Rented house without a landlord"), "rule"),
    "unit_address_inactive": (_("Unit at an inactive address"), "rule"),
    "overcrowded": (_("Overcrowded house"), "rule"),
    # duplicates (DOMAIN.md §7)
    "duplicate_person": (_("Same person twice"), "duplicate"),
    "duplicate_unit": (_("Same unit twice"), "duplicate"),
    "duplicate_address": (_("Same address twice"), "duplicate"),
    # signs of fabrication (DOMAIN.md §7)
    "fake_id_pattern": (_("Patterned or sequential ID numbers"), "fabrication"),
    "fake_shared_phone": (_("One phone on many unrelated people"), "fabrication"),
    "fake_placeholder_name": (_("Placeholder name"), "fabrication"),
    "fake_same_birthdates": (_("Household with identical birth dates"), "fabrication"),
    "fake_speed": (_("Impossible collection speed"), "fabrication"),
    "fake_night": (_("Night-time burst of records"), "fabrication"),
    "fake_gps_far": (_("Submitted far from the door plate"), "fabrication"),
    "fake_text_reuse": (_("Identical free text reused"), "fabrication"),
    "fake_photo_reuse": (_("One photo reused for many households"), "fabrication"),
}

#: Categories of problems raised outside the scan (no rule or injector of their own): the
#: failures of spot checks (supervision). Same shape as ``CATEGORIES``.
OTHER_CATEGORIES: dict[str, tuple[Any, str]] = {
    "spot_check_wrong": (_("Spot check: wrong fields"), "rule"),
    "spot_check_fabricated": (_("Spot check: fabricated record"), "fabrication"),
}


def category_label(code: str) -> Any:
    """The label of a problem category (the code itself when unknown)."""
    return (CATEGORIES.get(code) or OTHER_CATEGORIES.get(code) or (code, ""))[0]


def category_group(code: str) -> str:
    """rule / duplicate / fabrication ('' when unknown)."""
    return (CATEGORIES.get(code) or OTHER_CATEGORIES.get(code) or ("", ""))[1]


SEVERITIES = ("error", "warning", "info")

#: Record types a finding may name (``app_label.model``).
RECORD_TYPES = (
    "addresses.standardaddress",
    "registry.house",
    "registry.person",
    "registry.residence",
    "registry.unit",
    "collection.submission",
)


@dataclass(frozen=True)
class Finding:
    """One problem found with one record (``record_type``/``record_id``).

    ``related`` names the other records involved (the other half of a duplicate pair, the people
    sharing a phone). ``collector_id`` is the user responsible for the record's data when known
    (its creator, or the collector of the submission it came from). ``score`` is the confidence
    in [0, 1]; ``rule`` is the rule code (``person.id_checksum``); ``key`` distinguishes two
    findings of one rule on one record (e.g. two duplicate partners).
    """

    rule: str
    category: str
    record_type: str
    record_id: int
    severity: str = "warning"
    score: float = 1.0
    evidence: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    related: tuple[tuple[str, int], ...] = ()
    collector_id: int | None = None
    key: str = ""

    @property
    def fingerprint(self) -> str:
        """Stable identity across scans: rule, record and key (not score or evidence)."""
        raw = f"{self.rule}|{self.record_type}|{self.record_id}|{self.key}"
        return hashlib.sha1(raw.encode()).hexdigest()
