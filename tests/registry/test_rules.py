"""Cross-entity rules: pure functions, no database; assertions are on finding codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ybss.core.findings import Finding
from ybss.registry.rules import (
    check_occupancy,
    check_point_in_bbox,
    check_point_in_polygon,
    check_rental_landlord,
    check_residence_type,
    check_role_age,
    check_single_active_permanent,
    check_unit_address_active,
    division_prefix,
    is_household_separated,
)

ON = date(2025, 6, 1)
COUNTY = "610524"  # 合阳县


def codes(findings: tuple[Finding, ...]) -> set[str]:
    return {f.code for f in findings}


# --- age for role -------------------------------------------------------------------------------


def test_six_year_old_landlord_is_too_young() -> None:
    assert codes(check_role_age(date(2019, 1, 1), "landlord", ON)) == {"age.too_young_for_role"}


@pytest.mark.parametrize(
    ("role", "min_age"),
    [("legal_rep", 18), ("landlord", 18), ("security_lead", 18), ("householder", 16), ("employee", 16)],
)
def test_role_minimum_age_is_reached_on_the_birthday(role: str, min_age: int) -> None:
    birthday = date(ON.year - min_age, ON.month, ON.day)
    assert check_role_age(birthday, role, ON) == ()  # type: ignore[arg-type]
    day_later = date(ON.year - min_age, ON.month, ON.day + 1)
    assert codes(check_role_age(day_later, role, ON)) == {"age.too_young_for_role"}  # type: ignore[arg-type]


def test_role_age_birth_after_the_date_is_an_error() -> None:
    assert codes(check_role_age(date(2025, 6, 2), "employee", ON)) == {"age.birth_future"}


def test_role_age_unknown_birth_date_has_no_finding() -> None:
    assert check_role_age(None, "legal_rep", ON) == ()


def test_role_age_leap_day_birthday_turns_over_on_first_of_march() -> None:
    born = date(2008, 2, 29)
    assert codes(check_role_age(born, "legal_rep", date(2026, 2, 28))) == {"age.too_young_for_role"}
    assert check_role_age(born, "legal_rep", date(2026, 3, 1)) == ()


def test_role_age_unknown_role_raises() -> None:
    with pytest.raises(ValueError):
        check_role_age(date(1980, 1, 1), "mayor", ON)  # type: ignore[arg-type]


# --- occupancy ----------------------------------------------------------------------------------


def test_twenty_five_people_in_thirty_square_metres_is_overcrowded() -> None:
    found = check_occupancy(Decimal("30"), 25)
    assert codes(found) == {"house.overcrowded"}
    assert found[0].severity == "warning"


def test_exactly_five_square_metres_each_is_not_overcrowded() -> None:
    assert check_occupancy(Decimal("30.00"), 6) == ()
    assert codes(check_occupancy(29.99, 6)) == {"house.overcrowded"}


def test_occupancy_without_area_flags_more_than_twenty() -> None:
    assert check_occupancy(None, 20) == ()
    assert codes(check_occupancy(None, 21)) == {"house.overcrowded"}
    assert codes(check_occupancy(0, 21)) == {"house.overcrowded"}


def test_empty_house_is_never_overcrowded() -> None:
    assert check_occupancy(Decimal("1"), 0) == ()


# --- residence type and hukou -------------------------------------------------------------------


@pytest.mark.parametrize("residence_type", ["permanent", "lodging"])
def test_permanent_and_lodging_accept_a_county_hukou(residence_type: str) -> None:
    assert check_residence_type(residence_type, "610524001003", COUNTY) == ()
    assert check_residence_type(residence_type, "610524", "610524000000") == ()


@pytest.mark.parametrize(
    ("residence_type", "code"),
    [
        ("permanent", "residence.permanent_needs_county_hukou"),
        ("lodging", "residence.lodging_needs_county_hukou"),
    ],
)
@pytest.mark.parametrize("hukou", ["410102003001", "610525", None, ""])
def test_permanent_and_lodging_reject_an_outside_or_missing_hukou(
    residence_type: str, code: str, hukou: str | None
) -> None:
    assert codes(check_residence_type(residence_type, hukou, COUNTY)) == {code}


def test_floating_accepts_an_outside_hukou() -> None:
    assert check_residence_type("floating", "410102003001", COUNTY) == ()


@pytest.mark.parametrize("hukou", ["610524101002", None])
def test_floating_rejects_a_county_or_missing_hukou(hukou: str | None) -> None:
    assert codes(check_residence_type("floating", hukou, COUNTY)) == {
        "residence.floating_needs_outside_hukou"
    }


@pytest.mark.parametrize("residence_type", ["foreign", "unregistered"])
@pytest.mark.parametrize("hukou", ["610524001003", "410102003001", None])
def test_foreign_and_unregistered_skip_the_hukou_check(residence_type: str, hukou: str | None) -> None:
    assert check_residence_type(residence_type, hukou, COUNTY) == ()


def test_residence_type_unknown_or_empty_county_raises() -> None:
    with pytest.raises(ValueError):
        check_residence_type("visiting", "610524001003", COUNTY)
    with pytest.raises(ValueError):
        check_residence_type("permanent", "610524001003", "")


def test_division_prefix_drops_unspecified_levels() -> None:
    assert division_prefix("610524000000") == "610524"
    assert division_prefix("610500") == "6105"
    assert division_prefix("610524001003") == "610524001003"


# --- household separation -----------------------------------------------------------------------


def test_different_township_is_household_separated() -> None:
    assert is_household_separated("610524101002", "610524001003")


def test_same_township_other_village_is_not_separated() -> None:
    assert not is_household_separated("610524001001", "610524001003")


def test_outside_county_hukou_is_separated() -> None:
    assert is_household_separated("410102", "610524001003")


def test_no_hukou_is_not_separated() -> None:
    assert not is_household_separated(None, "610524001003")


def test_hukou_known_only_to_county_is_not_reported_as_separated() -> None:
    assert not is_household_separated("610524", "610524001003")


# --- one permanent residence --------------------------------------------------------------------


def test_second_active_permanent_residence_is_rejected() -> None:
    found = check_single_active_permanent(["lodging", "permanent"], "permanent")
    assert codes(found) == {"residence.second_permanent"}


def test_first_permanent_or_other_type_is_allowed() -> None:
    assert check_single_active_permanent(["lodging"], "permanent") == ()
    assert check_single_active_permanent(iter(["permanent"]), "floating") == ()


# --- rental and unit address --------------------------------------------------------------------


def test_rented_house_without_landlord() -> None:
    assert codes(check_rental_landlord("rented", False)) == {"house.rental_without_landlord"}


def test_rented_house_with_landlord_or_not_rented() -> None:
    assert check_rental_landlord("rented", True) == ()
    assert check_rental_landlord("own", False) == ()


def test_unit_address_missing_or_inactive() -> None:
    assert codes(check_unit_address_active(None)) == {"unit.address_missing"}
    assert codes(check_unit_address_active("voided")) == {"unit.address_inactive"}
    assert codes(check_unit_address_active("pending")) == {"unit.address_inactive"}
    assert check_unit_address_active("accepted") == ()


# --- coordinates in boundary --------------------------------------------------------------------

BBOX = (110.0, 35.1, 110.4, 35.4)
# A triangle with the right angle at (110.0, 35.0).
TRIANGLE = [(110.0, 35.0), (110.4, 35.0), (110.0, 35.4)]


def test_point_inside_bbox_including_edges() -> None:
    assert check_point_in_bbox(110.15, 35.23, BBOX) == ()
    assert check_point_in_bbox(110.0, 35.4, BBOX) == ()


def test_point_outside_bbox_is_a_warning() -> None:
    found = check_point_in_bbox(109.9, 35.23, BBOX)
    assert codes(found) == {"address.coords_outside_boundary"}
    assert found[0].severity == "warning"


def test_no_boundary_or_point_has_no_finding() -> None:
    assert check_point_in_bbox(0.0, 0.0, None) == ()
    assert check_point_in_polygon(0.0, 0.0, None) == ()
    assert check_point_in_bbox(None, None, BBOX) == ()


def test_point_in_polygon_inside_edge_and_outside() -> None:
    assert check_point_in_polygon(110.1, 35.1, TRIANGLE) == ()
    assert check_point_in_polygon(110.2, 35.2, TRIANGLE) == ()  # on the hypotenuse
    assert check_point_in_polygon(110.0, 35.0, TRIANGLE) == ()  # a vertex
    assert codes(check_point_in_polygon(110.3, 35.3, TRIANGLE)) == {"address.coords_outside_boundary"}


def test_point_in_closed_concave_ring() -> None:
    # A "U": the notch between x 1..2 above y 1 is outside.
    ring = [(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3), (0, 0)]
    assert check_point_in_polygon(0.5, 2.0, ring) == ()
    assert codes(check_point_in_polygon(1.5, 2.0, ring)) == {"address.coords_outside_boundary"}


def test_degenerate_polygon_raises() -> None:
    with pytest.raises(ValueError):
        check_point_in_polygon(0.0, 0.0, [(0.0, 0.0), (1.0, 1.0)])
