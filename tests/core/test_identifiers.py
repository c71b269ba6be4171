"""Identifier checks: ID numbers, credit codes, phones, masking and text redaction.

Pure functions, no database. Assertions are on finding codes, never on translated text.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ybss.core.findings import Finding, errors, warnings
from ybss.core.identifiers import (
    CREDIT_CODE_ALPHABET,
    MOBILE_PREFIXES,
    birth_date_from_id,
    check_credit_code,
    check_id_number,
    check_landline,
    check_mobile,
    check_phone,
    credit_check_char,
    id15_to_18,
    id_check_char,
    mask_id_number,
    mask_phone,
    normalize_phone,
    redact_text,
    sex_from_id,
)

TODAY = date(2025, 6, 1)
VALID_ID = "11010519491231002X"


def codes(findings: tuple[Finding, ...]) -> set[str]:
    return {f.code for f in findings}


ids_body = st.builds(
    lambda region, born, seq: f"{region:06d}{born:%Y%m%d}{seq:03d}",
    st.integers(110000, 829999),
    st.dates(min_value=date(1890, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)
valid_ids = ids_body.map(lambda body: body + id_check_char(body))
mobiles = st.builds(
    lambda prefix, rest: f"{prefix}{rest:08d}", st.sampled_from(MOBILE_PREFIXES), st.integers(0, 99_999_999)
)


# --- findings helpers ---------------------------------------------------------------------------


def test_errors_and_warnings_split_findings_by_severity() -> None:
    found = (Finding("a", "x"), Finding("b", "y", "warning"), Finding("c", "z"))
    assert [f.code for f in errors(found)] == ["a", "c"]
    assert [f.code for f in warnings(found)] == ["b"]


def test_findings_compare_without_their_message() -> None:
    assert Finding("id.checksum", "one") == Finding("id.checksum", "two")


# --- ID numbers: worked examples ----------------------------------------------------------------


def test_id_number_worked_example_is_valid() -> None:
    result = check_id_number(VALID_ID, today=TODAY)
    assert result.ok
    assert result.findings == ()
    assert result.region == "110105"
    assert result.birth_date == date(1949, 12, 31)
    assert result.sex == "2"


def test_id_number_with_wrong_check_char_fails_checksum() -> None:
    result = check_id_number("110105194912310021", today=TODAY)
    assert not result.ok
    assert codes(result.findings) == {"id.checksum"}


def test_id_check_char_of_worked_example_is_x() -> None:
    assert id_check_char(VALID_ID[:17]) == "X"


def test_id_check_char_rejects_non_17_digit_input() -> None:
    with pytest.raises(ValueError):
        id_check_char("1101051949123100")


def test_id15_to_18_worked_example() -> None:
    # 610524 800101 123 → 610524 19 800101 123 + check "7"
    assert id15_to_18("610524800101123") == "610524198001011237"


@pytest.mark.parametrize("value", ["", "61052480010112", "6105248001011234", "61052480010112X"])
def test_id15_to_18_rejects_anything_but_15_digits(value: str) -> None:
    with pytest.raises(ValueError):
        id15_to_18(value)


def test_id_number_15_digits_converts_with_legacy_warning() -> None:
    result = check_id_number("610524800101123", today=TODAY)
    assert result.ok
    assert result.value == "610524198001011237"
    assert codes(result.findings) == {"id.legacy15"}
    assert result.findings[0].severity == "warning"
    assert result.sex == "1"


def test_id_number_lowercase_x_and_full_width_input_are_normalised() -> None:
    assert check_id_number("11010519491231002x", today=TODAY).value == VALID_ID
    full_width = "\u3000１１０１０５ １９４９１２３１００２Ｘ "
    result = check_id_number(full_width, today=TODAY)
    assert result.ok
    assert result.value == VALID_ID


@pytest.mark.parametrize("value", ["", "   ", "\u3000", None])
def test_id_number_empty(value: str | None) -> None:
    result = check_id_number(value, today=TODAY)
    assert not result.ok
    assert codes(result.findings) == {"id.empty"}


@pytest.mark.parametrize(
    "value",
    [
        "1101051949123100",
        "1101051949123100299",
        "11010519491231002Y",
        "X10105194912310021",
        "１２３",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
    ],
)
def test_id_number_bad_length_or_characters_fail_format(value: str) -> None:
    result = check_id_number(value, today=TODAY)
    assert not result.ok
    assert codes(result.findings) == {"id.format"}
    assert result.region is None


def test_id_number_impossible_date_fails_birth_date() -> None:
    body = "11010519490230002"  # 30 February
    result = check_id_number(body + id_check_char(body), today=TODAY)
    assert codes(result.findings) == {"id.birth_date"}
    assert result.birth_date is None


def test_id_number_future_birth_fails() -> None:
    body = f"110105{TODAY + timedelta(days=1):%Y%m%d}002"
    result = check_id_number(body + id_check_char(body), today=TODAY)
    assert codes(result.findings) == {"id.birth_future"}


def test_id_number_born_before_1890_fails() -> None:
    body = "11010518891231002"
    result = check_id_number(body + id_check_char(body), today=TODAY)
    assert codes(result.findings) == {"id.birth_too_old"}


def test_id_number_born_on_1890_01_01_is_accepted() -> None:
    body = "11010518900101002"
    assert check_id_number(body + id_check_char(body), today=TODAY).ok


def test_id_number_sex_mismatch() -> None:
    result = check_id_number(VALID_ID, today=TODAY, expected_sex="1")
    assert codes(result.findings) == {"id.sex_mismatch"}
    assert not result.ok


@pytest.mark.parametrize("sex", ["2", "0", "9", None])
def test_id_number_sex_matching_or_unspecified_is_not_a_mismatch(sex: str | None) -> None:
    assert check_id_number(VALID_ID, today=TODAY, expected_sex=sex).ok


def test_id_number_birth_mismatch() -> None:
    result = check_id_number(VALID_ID, today=TODAY, expected_birth_date=date(1949, 12, 30))
    assert codes(result.findings) == {"id.birth_mismatch"}


def test_id_number_unknown_region_is_only_a_warning() -> None:
    result = check_id_number(VALID_ID, today=TODAY, known_regions={"610524"})
    assert result.ok
    assert codes(result.findings) == {"id.region_unknown"}
    assert result.findings[0].severity == "warning"


def test_id_number_known_region_has_no_warning() -> None:
    assert check_id_number(VALID_ID, today=TODAY, known_regions={"110105"}).findings == ()


def test_birth_date_and_sex_from_id() -> None:
    assert birth_date_from_id(VALID_ID) == date(1949, 12, 31)
    assert sex_from_id(VALID_ID) == "2"
    assert sex_from_id("610524800101123") == "1"
    assert birth_date_from_id("610524800101123") == date(1980, 1, 1)
    assert birth_date_from_id("not an id") is None
    assert sex_from_id("") is None


# --- ID numbers: properties ---------------------------------------------------------------------


@given(valid_ids)
def test_any_real_date_with_computed_check_char_validates(value: str) -> None:
    result = check_id_number(value, today=TODAY)
    assert result.ok, codes(result.findings)
    assert result.findings == ()
    assert result.birth_date == date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    assert result.sex == ("1" if int(value[16]) % 2 else "2")


@given(valid_ids, st.integers(0, 17), st.integers(1, 9))
def test_changing_any_one_digit_breaks_the_checksum(value: str, position: int, delta: int) -> None:
    original = value[position]
    if original == "X":
        replacement = str(delta)
    else:
        replacement = str((int(original) + delta) % 10)
    changed = value[:position] + replacement + value[position + 1 :]
    result = check_id_number(changed, today=TODAY)
    assert not result.ok
    assert "id.checksum" in codes(result.findings)


@given(valid_ids)
def test_mask_reveals_at_most_ten_characters_of_an_18_char_id(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == 18
    assert sum(ch != "*" for ch in masked) <= 10
    assert masked[:6] == value[:6]
    assert masked[-4:] == value[-4:]


# --- credit codes -------------------------------------------------------------------------------


def test_credit_code_worked_example_is_valid() -> None:
    result = check_credit_code("91110000101623741K")
    assert result.ok
    assert result.findings == ()


def test_credit_code_lowercase_and_full_width_are_normalised() -> None:
    result = check_credit_code(" ９１１１００００１０１６２３７４１ｋ ")
    assert result.ok
    assert result.value == "91110000101623741K"


def test_credit_code_wrong_check_char_is_a_warning_only() -> None:
    result = check_credit_code("91110000101623741A")
    assert result.ok
    assert codes(result.findings) == {"credit.checksum"}
    assert result.findings[0].severity == "warning"


@pytest.mark.parametrize("value", ["", "  ", None])
def test_credit_code_empty(value: str | None) -> None:
    result = check_credit_code(value)
    assert not result.ok
    assert codes(result.findings) == {"credit.empty"}


@pytest.mark.parametrize(
    "value",
    [
        "91110000101623741",
        "91110000101623741KK",
        "9111000010162374IK",
        "91110000101623741O",
        "9111000010162374-K",
    ],
)
def test_credit_code_bad_length_or_character_fails_format(value: str) -> None:
    result = check_credit_code(value)
    assert not result.ok
    assert codes(result.findings) == {"credit.format"}


def test_credit_check_char_rejects_forbidden_letters() -> None:
    with pytest.raises(ValueError):
        credit_check_char("9111000010162374I")


@given(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
def test_credit_check_char_round_trip(body: str) -> None:
    result = check_credit_code(body + credit_check_char(body))
    assert result.ok
    assert result.findings == ()


@given(
    st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17), st.sampled_from(CREDIT_CODE_ALPHABET)
)
def test_credit_code_with_any_other_check_char_warns(body: str, check: str) -> None:
    expected = credit_check_char(body)
    found = codes(check_credit_code(body + check).findings)
    assert found == (set() if check == expected else {"credit.checksum"})


# --- phones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["13812345678", "138 1234 5678", "138-1234-5678", "+86 13812345678", "8613812345678"]
)
def test_mobile_accepts_common_forms(value: str) -> None:
    assert check_mobile(value) == ()
    assert normalize_phone(value) == "13812345678"


@pytest.mark.parametrize(
    "value", ["", "1381234567", "138123456789", "12812345678", "23812345678", "0913-5512345"]
)
def test_mobile_rejects_bad_numbers(value: str) -> None:
    assert codes(check_mobile(value)) == {"phone.mobile_format"}


@pytest.mark.parametrize("value", ["14012345678", "14112345678", "15412345678"])
def test_mobile_in_unassigned_block_is_a_warning(value: str) -> None:
    found = check_mobile(value)
    assert codes(found) == {"phone.unknown_carrier_block"}
    assert not errors(found)


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("0913-5512345", "0913-5512345"),
        ("029-88886666", "029-88886666"),
        ("(0913)5512345", "0913-5512345"),
        ("0913 5512345", "0913-5512345"),
        ("01088886666", "010-88886666"),
        ("029-8888-6666", "029-88886666"),
        ("0913-5512345-801", "0913-5512345-801"),
        ("0913-5512345转801", "0913-5512345-801"),
        ("+86 913 5512345", "0913-5512345"),
    ],
)
def test_landline_accepts_common_forms(value: str, normalised: str) -> None:
    assert check_landline(value) == ()
    assert normalize_phone(value) == normalised


@pytest.mark.parametrize(
    "value", ["", "5512345", "913-5512345", "0913-0512345", "0913-55123", "0913-551234567"]
)
def test_landline_rejects_numbers_without_area_code_or_bad_length(value: str) -> None:
    assert codes(check_landline(value)) == {"phone.landline_format"}


@pytest.mark.parametrize("value", ["13812345678", "0913-5512345"])
def test_phone_accepts_mobile_or_landline(value: str) -> None:
    assert check_phone(value) == ()


@pytest.mark.parametrize("value", ["", "12345", "abc", "1381234567"])
def test_phone_rejects_neither(value: str) -> None:
    assert codes(check_phone(value)) == {"phone.format"}


def test_phone_keeps_unknown_block_warning() -> None:
    assert codes(check_phone("15412345678")) == {"phone.unknown_carrier_block"}


def test_normalize_phone_leaves_unrecognised_input_cleaned_but_unchanged() -> None:
    assert normalize_phone(" 12 345 ") == "12345"


# --- masking ------------------------------------------------------------------------------------


def test_mask_id_number_keeps_region_and_last_four() -> None:
    assert mask_id_number("61052419800101123X") == "610524********123X"


def test_mask_id_number_other_lengths_keep_first_three_and_last_two() -> None:
    assert mask_id_number("610524800101123") == "610**********23"
    assert mask_id_number("1234567") == "*******"
    assert mask_id_number("") == ""
    assert mask_id_number(None) == ""


def test_mask_phone_mobile() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "138****5678"


def test_mask_phone_landline_keeps_area_code_and_last_two() -> None:
    assert mask_phone("0913-5512345") == "0913-*****45"
    assert mask_phone("029-88886666-12") == "029-******66"


def test_mask_phone_other_and_empty() -> None:
    assert mask_phone("") == ""
    assert mask_phone("12345") == "***45"
    assert mask_phone("123") == "***"


# --- redaction ----------------------------------------------------------------------------------


def test_redact_text_masks_ids_and_mobiles_in_a_sentence() -> None:
    text = "核查 61052419800101123X（旧号 610524800101123），电话 13812345678 / 138-1234-5678。"
    assert redact_text(text) == (
        "核查 610524********123X（旧号 610**********23），电话 138****5678 / 138****5678。"
    )


def test_redact_text_catches_ids_glued_to_letters_and_full_width_digits() -> None:
    assert redact_text("id=ID61052419800101123X;") == "id=ID610524********123X;"
    assert "１９８００１０１" not in redact_text("６１０５２４１９８００１０１１２３Ｘ")


def test_redact_text_leaves_other_numbers_alone() -> None:
    text = "took 1234 ms at 1700000000000, house 18, code 610524001003"
    assert redact_text(text) == text


_filler = st.text(
    alphabet=st.sampled_from("abcXx 中文，。:=-_/()0123456789"),
    max_size=12,
)
_separator = st.text(alphabet=st.sampled_from(" abc中：,=()X"), min_size=1, max_size=2)


@given(
    st.lists(st.tuples(_filler, st.one_of(valid_ids, mobiles), _separator), min_size=1, max_size=5), _filler
)
def test_redact_text_never_leaves_a_valid_id_or_mobile(parts: list[tuple[str, str, str]], tail: str) -> None:
    # Each identifier is kept off adjacent digits by a non-digit separator on both sides.
    text = "".join(f"{filler}-{value}{separator}" for filler, value, separator in parts) + tail
    redacted = redact_text(text)
    for _filler_text, value, _sep in parts:
        assert value not in redacted
    for candidate in re.findall(r"(?<!\d)\d{17}[\dX](?!\d)", redacted):
        assert not check_id_number(candidate, today=TODAY).ok
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", redacted)
