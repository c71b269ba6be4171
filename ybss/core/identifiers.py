"""Identifier checks: resident ID numbers, unified social credit codes, phone numbers, masking.

Pure functions over plain values (DOMAIN.md §5): no ORM, no settings read at import time. Each
check normalises its input first (NFKC, so full-width digits and letters become ASCII; whitespace
including U+3000 removed; letters upper-cased) and returns findings instead of raising.

- ID numbers follow GB 11643-1999 with the ISO 7064 MOD 11-2 check character.
- Unified social credit codes follow GB 32100-2015; a failed check character is only a warning,
  because a few real codes fail it.
- Mobile numbers match ``^1[3-9]\\d{9}$``; the assigned carrier blocks are data
  (:data:`MOBILE_PREFIXES`) and only drive a warning.
- Masking keeps the parts a reader needs to recognise a record and nothing else;
  :func:`redact_text` masks identifiers found inside free text (used by the logging filter).

Callers inside Django pass ``today=django.utils.timezone.localdate()``; the default is the
process's local date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final

from django.utils.translation import gettext_lazy as _

from ybss.core.findings import Finding, errors

# ---------------------------------------------------------------------------------------------
# Normalisation


def _normalise(value: str | None) -> str:
    """NFKC, drop whitespace and invisible format characters, upper-case."""
    if not value:
        return ""
    if value.isascii():  # the common case: no full-width or format characters to fold
        return "".join(value.split()).upper()
    text = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf").upper()


# ---------------------------------------------------------------------------------------------
# Resident ID number (GB 11643-1999)

ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS: Final = "10X98765432"
EARLIEST_BIRTH_DATE: Final = date(1890, 1, 1)

# [0-9] rather than \d: in str patterns \d also matches other scripts' digits, which int() accepts.
_ID18_RE: Final = re.compile(r"[0-9]{17}[0-9X]")
_ID15_RE: Final = re.compile(r"[0-9]{15}")
_DIGITS17_RE: Final = re.compile(r"[0-9]{17}")


def id_check_char(first17: str) -> str:
    """The MOD 11-2 check character ("0"–"9" or "X") for the first 17 digits of an ID number.

    Raises ValueError unless ``first17`` is exactly 17 ASCII digits.
    """
    if not _DIGITS17_RE.fullmatch(first17):
        raise ValueError("an ID number body is exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id15_to_18(value: str) -> str:
    """Convert a legacy 15-digit ID number to 18: insert "19" after the region, append the check.

    The input is normalised first (full-width digits, spaces). Raises ValueError unless it is
    then exactly 15 digits.
    """
    normalised = _normalise(value)
    if not _ID15_RE.fullmatch(normalised):
        raise ValueError("a legacy ID number is exactly 15 digits")
    body = normalised[:6] + "19" + normalised[6:]
    return body + id_check_char(body)


@dataclass(frozen=True)
class IdNumberCheck:
    """The outcome of :func:`check_id_number`.

    ``value`` is the normalised number (18 characters when the format was right). ``region`` and
    ``sex`` are set whenever the format is right; ``birth_date`` when the date part is a real
    date. ``ok`` means no error findings (warnings allowed).
    """

    value: str
    ok: bool
    findings: tuple[Finding, ...]
    region: str | None = None
    birth_date: date | None = None
    sex: str | None = None


def _parse_birth_date(value18: str) -> date | None:
    try:
        return date(int(value18[6:10]), int(value18[10:12]), int(value18[12:14]))
    except ValueError:
        return None


def _sex_of(value18: str) -> str:
    """GB/T 2261.1 sex code from the sequence digit: odd "1" (male), even "2" (female)."""
    return "1" if int(value18[16]) % 2 else "2"


def check_id_number(
    value: str | None,
    *,
    today: date | None = None,
    known_regions: Container[str] | None = None,
    expected_sex: str | None = None,
    expected_birth_date: date | None = None,
) -> IdNumberCheck:
    """Check a resident ID number and read its region, birth date and sex.

    Errors: ``id.empty``, ``id.format``, ``id.birth_date`` (not a real date), ``id.birth_future``,
    ``id.birth_too_old`` (before 1890-01-01), ``id.checksum``, ``id.sex_mismatch`` (only when
    ``expected_sex`` is "1" or "2"), ``id.birth_mismatch``. Warnings: ``id.legacy15`` (a 15-digit
    number was converted to 18), ``id.region_unknown`` (``known_regions`` given and the region is
    not in it; abolished codes are real, so this never rejects). A format error stops the check.
    """
    normalised = _normalise(value)
    if not normalised:
        finding = Finding("id.empty", _("Enter the ID number."))  # zh: 请填写身份证号码。
        return IdNumberCheck(value="", ok=False, findings=(finding,))

    findings: list[Finding] = []
    if _ID15_RE.fullmatch(normalised):
        normalised = id15_to_18(normalised)
        findings.append(
            Finding(
                "id.legacy15",
                # zh: 15 位旧身份证号码已转换为 18 位，请核对。
                _("A 15-digit legacy ID number was converted to 18 digits; please verify it."),
                "warning",
            )
        )
    elif not _ID18_RE.fullmatch(normalised):
        finding = Finding(
            "id.format",
            # zh: 身份证号码应为 18 位：17 位数字加 1 位数字或 X。
            _("An ID number has 18 characters: 17 digits and a final digit or X."),
        )
        return IdNumberCheck(value=normalised, ok=False, findings=(finding,))

    region = normalised[:6]
    sex = _sex_of(normalised)
    birth_date = _parse_birth_date(normalised)
    today = today or date.today()

    if birth_date is None:
        # zh: 身份证号码中的出生日期不是有效日期。
        findings.append(Finding("id.birth_date", _("The birth date in the ID number is not a real date.")))
    elif birth_date > today:
        # zh: 身份证号码中的出生日期晚于今天。
        findings.append(Finding("id.birth_future", _("The birth date in the ID number is in the future.")))
    elif birth_date < EARLIEST_BIRTH_DATE:
        # zh: 身份证号码中的出生日期早于 1890 年。
        findings.append(Finding("id.birth_too_old", _("The birth date in the ID number is before 1890.")))

    if normalised[17] != id_check_char(normalised[:17]):
        findings.append(
            Finding(
                "id.checksum",
                # zh: 身份证号码校验位不正确，请核对号码。
                _("The ID number's check character is wrong; please check the number."),
            )
        )

    if expected_sex in ("1", "2") and expected_sex != sex:
        findings.append(
            Finding(
                "id.sex_mismatch",
                # zh: 性别与身份证号码不一致。
                _("The sex does not match the ID number."),
                field="sex",
            )
        )
    if expected_birth_date is not None and birth_date is not None and expected_birth_date != birth_date:
        findings.append(
            Finding(
                "id.birth_mismatch",
                # zh: 出生日期与身份证号码不一致。
                _("The birth date does not match the ID number."),
                field="birth_date",
            )
        )
    if known_regions is not None and region not in known_regions:
        findings.append(
            Finding(
                "id.region_unknown",
                # zh: 身份证号码的地区码不在现行区划代码表中（可能是已撤销的旧代码），请核对。
                _("The ID number's region code is not in the current division table; please verify it."),
                "warning",
            )
        )

    found = tuple(findings)
    return IdNumberCheck(
        value=normalised,
        ok=not errors(found),
        findings=found,
        region=region,
        birth_date=birth_date,
        sex=sex,
    )


def birth_date_from_id(value: str | None) -> date | None:
    """The birth date encoded in an 18- or 15-digit ID number; None when unreadable.

    Does not validate the check character.
    """
    normalised = _normalise(value)
    if _ID15_RE.fullmatch(normalised):
        normalised = id15_to_18(normalised)
    if not _ID18_RE.fullmatch(normalised):
        return None
    return _parse_birth_date(normalised)


def sex_from_id(value: str | None) -> str | None:
    """The GB/T 2261.1 sex code ("1" male, "2" female) from an ID number; None when unreadable.

    Does not validate the check character.
    """
    normalised = _normalise(value)
    if _ID15_RE.fullmatch(normalised):
        return _sex_of(id15_to_18(normalised))
    if not _ID18_RE.fullmatch(normalised):
        return None
    return _sex_of(normalised)


# ---------------------------------------------------------------------------------------------
# Unified social credit code (GB 32100-2015)

CREDIT_CODE_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I O S V Z
CREDIT_WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(17))  # 3^(i-1) mod 31, i = 1..17
_CREDIT_VALUES: Final = MappingProxyType({ch: n for n, ch in enumerate(CREDIT_CODE_ALPHABET)})


def credit_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code.

    Raises ValueError unless ``first17`` is 17 characters of :data:`CREDIT_CODE_ALPHABET`.
    """
    if len(first17) != 17 or any(ch not in _CREDIT_VALUES for ch in first17):
        raise ValueError("a credit code body is 17 characters over 0-9 and A-Z without I O S V Z")
    total = sum(_CREDIT_VALUES[ch] * w for ch, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


@dataclass(frozen=True)
class CreditCodeCheck:
    """The outcome of :func:`check_credit_code`: normalised ``value``, ``ok`` = no errors."""

    value: str
    ok: bool
    findings: tuple[Finding, ...]


def check_credit_code(value: str | None) -> CreditCodeCheck:
    """Check a unified social credit code.

    Errors: ``credit.empty``, ``credit.format`` (not 18 characters over the code alphabet).
    Warning: ``credit.checksum`` — a wrong check character is sent to review rather than rejected,
    so ``ok`` stays True.
    """
    normalised = _normalise(value)
    if not normalised:
        # zh: 请填写统一社会信用代码。
        finding = Finding("credit.empty", _("Enter the unified social credit code."))
        return CreditCodeCheck(value="", ok=False, findings=(finding,))
    if len(normalised) != 18 or any(ch not in _CREDIT_VALUES for ch in normalised):
        finding = Finding(
            "credit.format",
            # zh: 统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）。
            _("A unified social credit code has 18 digits or capital letters (no I, O, S, V or Z)."),
        )
        return CreditCodeCheck(value=normalised, ok=False, findings=(finding,))
    if normalised[17] != credit_check_char(normalised[:17]):
        finding = Finding(
            "credit.checksum",
            # zh: 统一社会信用代码校验位不符，请核对（个别真实代码也会如此）。
            _("The credit code's check character does not match; please verify the code."),
            "warning",
        )
        return CreditCodeCheck(value=normalised, ok=True, findings=(finding,))
    return CreditCodeCheck(value=normalised, ok=True, findings=())


# ---------------------------------------------------------------------------------------------
# Phone numbers

# Data, not logic: the three-digit mobile blocks assigned for 11-digit numbers (MIIT numbering
# plan, including virtual-operator, data-only and satellite blocks). A number outside these only
# earns a warning. Blocks absent here — 140–144 (13-digit IoT), 154, 160, 161, 163, 164, 168, 169,
# 179, 194 — had no 11-digit assignment when this list was written; add a block when it is issued.
MOBILE_PREFIXES: Final[tuple[str, ...]] = (
    *(f"13{d}" for d in range(10)),
    "145", "146", "147", "148", "149",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "162", "165", "166", "167",
    "170", "171", "172", "173", "174", "175", "176", "177", "178",
    *(f"18{d}" for d in range(10)),
    "190", "191", "192", "193", "195", "196", "197", "198", "199",
)  # fmt: skip

_MOBILE_RE: Final = re.compile(r"(?:\+?86|0086)?(1[3-9][0-9]{9})")
# Area codes: 010 and 02x are three digits, every other one (03xx–09xx) four. Local numbers are
# 7–8 digits (sometimes split by a dash) and never start with 0 or 1. Extensions follow "-",
# "转", "ext", "x" or "#".
_LANDLINE_RE: Final = re.compile(
    r"(?P<country>(?:\+?86|0086)-?)?"
    r"\(?(?P<area>0?(?:10|2[0-9]|[3-9][0-9]{2}))\)?-?"
    r"(?P<number>[2-9][0-9]{2,3}-?[0-9]{4})"
    r"(?:(?:-|转|EXT\.?|X|#)(?P<extension>[0-9]{1,6}))?"
)
_PHONE_STRIP_RE: Final = re.compile(r"[\-–—.]")


def _mobile_digits(value: str | None) -> str | None:
    """The 11 mobile digits, or None when ``value`` is not a mobile number."""
    match = _MOBILE_RE.fullmatch(_PHONE_STRIP_RE.sub("", _normalise(value)))
    return match.group(1) if match else None


def _landline_parts(value: str | None) -> tuple[str, str, str] | None:
    """(area code with its 0, number, extension or ""), or None when not a landline."""
    # Dashes stay: they may separate the number from an extension.
    match = _LANDLINE_RE.fullmatch(re.sub(r"[.–—]", "", _normalise(value)))
    if not match:
        return None
    area = match["area"]
    if not area.startswith("0"):
        if not match["country"]:  # the trunk 0 may only be left out after +86
            return None
        area = "0" + area
    return area, match["number"].replace("-", ""), match["extension"] or ""


def normalize_phone(value: str | None) -> str:
    """The canonical form of a phone number.

    A mobile becomes its 11 digits (prefix +86 dropped); a landline becomes "area-number" or
    "area-number-extension" (e.g. "0913-5512345"); anything else is returned normalised (NFKC,
    whitespace removed) but otherwise unchanged.
    """
    mobile = _mobile_digits(value)
    if mobile:
        return mobile
    parts = _landline_parts(value)
    if parts:
        return "-".join(p for p in parts if p)
    return _normalise(value)


def _unknown_block(mobile: str) -> tuple[Finding, ...]:
    if mobile[:3] in MOBILE_PREFIXES:
        return ()
    finding = Finding(
        "phone.unknown_carrier_block",
        # zh: 该手机号码段尚未分配，请核对号码。
        _("This mobile number is in a block no carrier uses; please verify it."),
        "warning",
    )
    return (finding,)


def check_mobile(value: str | None) -> tuple[Finding, ...]:
    """Check a mobile number: error ``phone.mobile_format``, warning ``phone.unknown_carrier_block``.

    Spaces, dashes and a +86/86/0086 prefix are ignored.
    """
    mobile = _mobile_digits(value)
    if mobile is None:
        # zh: 手机号码应为以 1 开头的 11 位数字。
        return (Finding("phone.mobile_format", _("A mobile number has 11 digits starting with 1.")),)
    return _unknown_block(mobile)


def check_landline(value: str | None) -> tuple[Finding, ...]:
    """Check a landline number with its area code: error ``phone.landline_format``.

    Accepts forms such as 0913-5512345, 029-88886666, (0913)5512345 and 0913-5512345-801.
    """
    if _landline_parts(value) is None:
        finding = Finding(
            "phone.landline_format",
            # zh: 固定电话应包含区号，如 0913-5512345。
            _("A landline number needs its area code, e.g. 0913-5512345."),
        )
        return (finding,)
    return ()


def check_phone(value: str | None) -> tuple[Finding, ...]:
    """Check a number that may be a mobile or a landline: error ``phone.format`` when it is neither.

    A mobile in an unassigned block still gets the ``phone.unknown_carrier_block`` warning.
    """
    mobile = _mobile_digits(value)
    if mobile is not None:
        return _unknown_block(mobile)
    if _landline_parts(value) is not None:
        return ()
    finding = Finding(
        "phone.format",
        # zh: 请填写 11 位手机号码或带区号的固定电话。
        _("Enter an 11-digit mobile number or a landline number with its area code."),
    )
    return (finding,)


# ---------------------------------------------------------------------------------------------
# Masking


def mask_id_number(value: str | None) -> str:
    """Mask an ID number for display, keeping its length.

    18 characters keep the region (first 6) and the last 4: 610524********123X. Other lengths
    of 8 or more keep the first 3 and last 2; shorter values are masked entirely; empty stays
    empty.
    """
    text = (value or "").strip()
    n = len(text)
    if n == 18:
        return text[:6] + "*" * 8 + text[-4:]
    if n >= 8:
        return text[:3] + "*" * (n - 5) + text[-2:]
    return "*" * n


def mask_phone(value: str | None) -> str:
    """Mask a phone number for display.

    A mobile shows its first 3 and last 4 digits (138****5678); a landline its area code and
    last 2 digits (0913-*****45, extension dropped); anything else only its last 2 characters
    when longer than 4, else nothing. Empty stays empty.
    """
    mobile = _mobile_digits(value)
    if mobile:
        return mobile[:3] + "****" + mobile[-4:]
    parts = _landline_parts(value)
    if parts:
        area, number, _extension = parts
        return f"{area}-{'*' * (len(number) - 2)}{number[-2:]}"
    text = _normalise(value)
    if len(text) > 4:
        return "*" * (len(text) - 2) + text[-2:]
    return "*" * len(text)


# Patterns that find identifiers inside free text (log lines, remarks). They use Unicode \d on
# purpose so that full-width digits are caught too, and only digit boundaries, so an identifier
# glued to letters ("ID610524...") is still found. Applied in this order; over-masking an
# 18-digit bank card or a 15-digit run is accepted.
MASK_PATTERNS: Final[Mapping[str, re.Pattern[str]]] = MappingProxyType(
    {
        "id18": re.compile(r"(?<!\d)\d{17}[\dXxＸｘ](?!\d)"),
        "id15": re.compile(r"(?<!\d)\d{15}(?!\d)"),
        "mobile": re.compile(
            r"(?<!\d)(?:(?:\+|00|＋)?[8８][6６][\s\-]?)?[1１][3-9３-９]\d[\s\-]?\d{4}[\s\-]?\d{4}(?!\d)"
        ),
    }
)


def _mask_mobile_match(match: re.Match[str]) -> str:
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", match.group()) if ch.isdigit())
    mobile = digits[-11:]
    return mobile[:3] + "****" + mobile[-4:]


def redact_text(text: str) -> str:
    """Mask every ID number (18 or 15 digits) and mobile number found in ``text``.

    IDs are masked as by :func:`mask_id_number`, mobiles as by :func:`mask_phone`; everything else
    is left as it was.
    """
    if not text:
        return text
    text = MASK_PATTERNS["id18"].sub(lambda m: mask_id_number(m.group()), text)
    text = MASK_PATTERNS["id15"].sub(lambda m: mask_id_number(m.group()), text)
    return MASK_PATTERNS["mobile"].sub(_mask_mobile_match, text)
