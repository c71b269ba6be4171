"""The two address rates: numerator and denominator by definition, scoped, rooms via their door."""

from __future__ import annotations

import pytest

from ybss.addresses.models import CleanState, MarkState, StandardAddress
from ybss.addresses.rates import address_rates
from ybss.addresses.services import address_mark
from ybss.core.models import RecordStatus

pytestmark = pytest.mark.django_db


def test_marking_a_door_plate_counts_it_and_its_rooms(county):
    officer = county.a.users["officer"]
    before = address_rates(actor=officer)["address_marked"]
    assert before.denominator == 2 and before.numerator == 0  # station a: its door plate and room
    door = county.a.door
    address_mark(actor=officer, address=door, expected_version=door.version, lng="110.15", lat="35.24")
    assert address_rates(actor=officer)["address_marked"].numerator == 0  # marked, not confirmed
    door.refresh_from_db()
    address_mark(
        actor=officer, address=door, expected_version=door.version, lng="110.15", lat="35.24", confirm=True
    )
    after = address_rates(actor=officer)["address_marked"]
    assert (after.numerator, after.denominator, after.percent) == (2, 2, "100.00%")
    # station b sees only its own addresses, still unmarked
    assert address_rates(actor=county.b.users["officer"])["address_marked"].numerator == 0


def test_cleaned_counts_accepted_or_voided_and_merged_duplicates_drop_out(county):
    officer = county.a.users["officer"]
    door, room = county.a.door, county.a.room
    addresses = StandardAddress.objects
    addresses.filter(pk=door.pk).update(clean_state=CleanState.CLEANED, status=RecordStatus.ACCEPTED)
    addresses.filter(pk=room.pk).update(clean_state=CleanState.CLEANED, status=RecordStatus.DRAFT)
    rate = address_rates(actor=officer)["address_cleaned"]
    assert (rate.numerator, rate.denominator) == (1, 2)  # a draft is not cleaned yet
    StandardAddress.objects.filter(pk=room.pk).update(clean_state=CleanState.MERGED, merged_into=door)
    rate = address_rates(actor=officer)["address_cleaned"]
    assert (rate.numerator, rate.denominator, rate.value) == (1, 1, 1.0)


def test_rates_narrow_to_a_subtree_and_show_a_dash_when_empty(county):
    chief = county.users["chief"] if "chief" in county.users else county.a.users["chief"]
    rate = address_rates(actor=chief, division_prefix="999999")["address_marked"]
    assert (rate.numerator, rate.denominator, rate.percent) == (0, 0, "—")
    assert MarkState.CONFIRMED == "confirmed"


def test_a_cancelled_address_leaves_the_marking_rate(county):
    officer = county.a.users["officer"]
    StandardAddress.objects.filter(pk=county.a.room.pk).update(status=RecordStatus.VOIDED)
    rate = address_rates(actor=officer)["address_marked"]
    assert (rate.numerator, rate.denominator) == (0, 1)
    assert address_rates(actor=officer)["address_cleaned"].denominator == 2
