"""The phone's validate.js says what the server says: run it in real Chromium and compare its verdicts
with the Python validators (``ybss.core.identifiers``, ``ybss.registry.services``) on hundreds of
generated ID numbers and phone numbers, and on person and house forms.

Skipped when /usr/bin/chromium is missing, unless YBSS_REQUIRE_BROWSER=1 (CI), where it fails.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.browser.conftest import ARGS, CHROMIUM
from ybss.core.identifiers import (
    CREDIT_CODE_ALPHABET,
    MOBILE_PREFIXES,
    check_credit_code,
    check_id_number,
    check_landline,
    check_mobile,
    check_phone,
    credit_check_char,
    id_check_char,
    normalize_phone,
)

if not Path(CHROMIUM).exists():
    if os.environ.get("YBSS_REQUIRE_BROWSER") == "1":
        raise RuntimeError("YBSS_REQUIRE_BROWSER=1 but /usr/bin/chromium is not installed")
    pytest.skip("Chromium is not installed", allow_module_level=True)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

VALIDATE_JS = Path(__file__).resolve().parents[2] / "ybss/web/static/web/collect/validate.js"
ORIGIN = "http://localhost:9"  # never reached: every request is answered by the route below
TODAY = dt.date.today()
SETTINGS = settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def js():
    """A page with validate.js loaded as ``window.V``; ``js(expression, arg)`` evaluates in it."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page()
        stray: list[str] = []

        def serve(route: Any) -> None:
            url = route.request.url
            if url == f"{ORIGIN}/":
                html = '<script type="module">import * as V from "/validate.js"; window.V = V;</script>'
                route.fulfill(status=200, content_type="text/html", body=html)
            elif url == f"{ORIGIN}/validate.js":
                route.fulfill(status=200, content_type="text/javascript", body=VALIDATE_JS.read_text())
            else:
                stray.append(url)
                route.abort()

        page.route("**/*", serve)
        page.goto(f"{ORIGIN}/")
        page.wait_for_function("window.V !== undefined")
        yield lambda expression, arg=None: page.evaluate(expression, arg)
        assert stray == []
        browser.close()


# --- ID numbers ----------------------------------------------------------------------------------

REGIONS = ["610524", "610502", "110101", "440305", "652901", "000000"]


def _id(region: str, birth: str, seq: int, *, good_check: bool = True) -> str:
    body = f"{region}{birth}{seq:03d}"
    check = id_check_char(body)
    if not good_check:
        check = "10X98765432"[("10X98765432".index(check) + 1) % 11]
    return body + check


def _python_id(value: str, sex: str | None, birth: str | None) -> dict[str, Any]:
    res = check_id_number(
        value,
        today=TODAY,
        expected_sex=sex,
        expected_birth_date=dt.date.fromisoformat(birth) if birth else None,
    )
    return {
        "value": res.value,
        "ok": res.ok,
        "codes": [(f.code, f.severity, f.field) for f in res.findings],
        "region": res.region,
        "birth": res.birth_date.isoformat() if res.birth_date else None,
        "sex": res.sex,
    }


def _js_ids(js, cases: list[tuple[str, str | None, str | None]]) -> list[dict[str, Any]]:
    return js(
        """([cases, today]) => cases.map(([value, sex, birth]) => {
            const r = V.checkIdNumber(value, {today, expectedSex: sex, expectedBirthDate: birth});
            return {value: r.value, ok: r.ok, codes: r.findings.map(f => [f.code, f.severity, f.field]),
                    region: r.region ?? null, birth: r.birthDate ?? null, sex: r.sex ?? null};
        })""",
        [cases, TODAY.isoformat()],
    )


def _compare_ids(js, cases: list[tuple[str, str | None, str | None]]) -> None:
    got = _js_ids(js, cases)
    for case, mine in zip(cases, got, strict=True):
        theirs = _python_id(*case)
        mine["codes"] = [tuple(c) for c in mine["codes"]]
        assert mine == theirs, case


def _systematic_ids() -> list[tuple[str, str | None, str | None]]:
    rng = random.Random(5)
    tomorrow = TODAY + dt.timedelta(days=1)
    births = [
        "19800101", "19000228", "19000229", "20000229", "20040229", "20230229", "18900101", "18891231",
        "19991231", "19991301", "19990100", "19990132", "00000101", "99991231", "20991231",
        TODAY.strftime("%Y%m%d"), tomorrow.strftime("%Y%m%d"),
    ]  # fmt: skip
    cases: list[tuple[str, str | None, str | None]] = []
    for birth in births:
        for region in REGIONS[:3]:
            seq = rng.randrange(1000)
            for good in (True, False):
                number = _id(region, birth, seq, good_check=good)
                real_sex = "1" if seq % 2 else "2"
                other_sex = "2" if real_sex == "1" else "1"
                for sex in (None, real_sex, other_sex, "0", "9"):
                    cases.append((number, sex, None))
                iso = f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"
                try:
                    dt.date.fromisoformat(iso)
                except ValueError:
                    continue
                cases.append((number, real_sex, iso))
                cases.append((number, real_sex, "1970-01-01"))
    # shapes: legacy, spaces, full-width digits, lower-case x, too short or long, junk
    legacy = "610524800101123"
    cases += [
        (legacy, None, None),
        (legacy, "1", None),
        (legacy, "2", "1980-01-01"),
        ("61052419800101123x", None, None),
        (" 6105 2419 8001 0112 3X ", None, None),
        ("６１０５２４１９８００１０１１２３X", None, None),
        ("6105241980010112", None, None),
        ("6105241980010112345", None, None),
        ("61052419800101123Y", None, None),
        ("", None, None),
        ("   ", None, None),
        ("\u200b610524198001011239", None, None),
        ("610524198001011239\u3000", None, None),
        ("61052419800101123ｘ", None, None),
    ]
    return cases


def test_systematic_id_numbers_agree(js):
    cases = _systematic_ids()
    assert len(cases) >= 300
    _compare_ids(js, cases)


@st.composite
def id_numbers(draw) -> tuple[str, str | None, str | None]:
    kind = draw(st.sampled_from(["valid", "checksum", "date", "future", "sex", "legacy", "noise", "junk"]))
    region = draw(st.sampled_from(REGIONS) | st.from_regex(r"[0-9]{6}", fullmatch=True))
    seq = draw(st.integers(0, 999))
    born = draw(st.dates(dt.date(1890, 1, 1), TODAY))
    birth = born.strftime("%Y%m%d")
    real_sex = "1" if seq % 2 else "2"
    sex = draw(st.sampled_from([None, real_sex]))
    if kind == "valid":
        return _id(region, birth, seq), sex, draw(st.sampled_from([None, born.isoformat()]))
    if kind == "checksum":
        return _id(region, birth, seq, good_check=False), sex, None
    if kind == "date":
        return _id(region, draw(st.from_regex(r"[0-9]{8}", fullmatch=True)), seq), sex, None
    if kind == "future":
        later = draw(st.dates(TODAY + dt.timedelta(days=1), dt.date(2200, 12, 31)))
        return _id(region, later.strftime("%Y%m%d"), seq), sex, None
    if kind == "sex":
        return _id(region, birth, seq), "2" if real_sex == "1" else "1", None
    if kind == "legacy":
        return f"{region}{birth[2:]}{seq:03d}", sex, None
    if kind == "noise":
        number = _id(region, birth, seq)
        at = draw(st.integers(0, len(number)))
        filler = draw(st.sampled_from([" ", "\u3000", "\t", "-", "\u200b", "x"]))
        number = number[:at] + filler + number[at:]
        if draw(st.booleans()):
            number = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        return number.lower(), sex, None
    junk = draw(st.text(alphabet="0123456789Xx ０１２３４５６７８９-", max_size=20))
    return junk, sex, None


@SETTINGS
@given(cases=st.lists(id_numbers(), min_size=100, max_size=100))
def test_generated_id_numbers_agree(js, cases):
    _compare_ids(js, cases)


# --- phones ---------------------------------------------------------------------------------------


def _python_phone(value: str) -> dict[str, Any]:
    def codes(findings):
        return [[f.code, f.severity] for f in findings]

    return {
        "mobile": codes(check_mobile(value)),
        "landline": codes(check_landline(value)),
        "phone": codes(check_phone(value)),
        "normal": normalize_phone(value),
    }


def _compare_phones(js, values: list[str]) -> None:
    got = js(
        """values => values.map(v => ({
            mobile: V.checkMobile(v).map(f => [f.code, f.severity]),
            landline: V.checkLandline(v).map(f => [f.code, f.severity]),
            phone: V.checkPhone(v).map(f => [f.code, f.severity]),
            normal: V.normalizePhone(v),
        }))""",
        values,
    )
    for value, mine in zip(values, got, strict=True):
        assert mine == _python_phone(value), value


LANDLINE_FORMS = (
    "{a}-{n}", "{a}{n}", "({a}){n}", "+86-{a}-{n}", "86{a}{n}", "{a}-{n}-801", "{a}-{n}转801",
    "{a}-{n}ext801", "{a}-{n}x801", "{a}-{n}#801", "{a} {n}", "{a}–{n}",
)  # fmt: skip


def test_systematic_phones_agree(js):
    values = [f"{block}{n:08d}" for block in range(100, 200) for n in (0, 12345678)]
    values += [f"{p}13912345678" for p in ("+86", "86", "0086", "+86 ", "+86-", "086", "+87")]
    values += [
        "139 1234 5678",
        "139-1234-5678",
        "139.1234.5678",
        "１３９１２３４５６７８",
        "1391234567",
        "139123456789",
    ]
    for area in ("010", "029", "0913", "0771", "021", "10", "913", "0100"):
        for number in ("5512345", "88886666", "0512345", "1512345", "551234", "555512345"):
            for form in LANDLINE_FORMS:
                values.append(form.format(a=area, n=number))
    values += ["", " ", "abc", "0913-551-2345", "0913-5512-345", "(029)8888-6666", "110", "12345"]
    assert len(values) >= 500
    _compare_phones(js, values)


phone_like = st.one_of(
    st.builds(
        lambda pre, block, rest, sep: pre + sep.join([block, rest[:4], rest[4:]]),
        st.sampled_from(["", "+86", "86", "0086", "+86 "]),
        st.sampled_from([*MOBILE_PREFIXES, "140", "154", "169", "194", "120", "100"]),
        st.from_regex(r"[0-9]{8}", fullmatch=True),
        st.sampled_from(["", " ", "-", "."]),
    ),
    st.builds(
        lambda cc, area, number, ext: cc + area + "-" + number + ext,
        st.sampled_from(["", "+86-", "86"]),
        st.sampled_from(["010", "029", "0913", "10", "913", "0"]),
        st.from_regex(r"[0-9]{6,9}", fullmatch=True),
        st.sampled_from(["", "-8", "转12", "#123456", "x1234567"]),
    ),
    st.text(alphabet="0123456789+-()# 转xX", max_size=18),
)


@SETTINGS
@given(values=st.lists(phone_like, min_size=100, max_size=100))
def test_generated_phones_agree(js, values):
    _compare_phones(js, values)


# --- credit codes ---------------------------------------------------------------------------------


@st.composite
def credit_codes(draw) -> str:
    body = draw(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
    kind = draw(st.sampled_from(["valid", "checksum", "lower", "letters", "length", "junk"]))
    check = credit_check_char(body)
    if kind == "valid":
        return body + check
    if kind == "checksum":
        return body + draw(st.sampled_from([c for c in CREDIT_CODE_ALPHABET if c != check]))
    if kind == "lower":
        return f" {(body + check).lower()} "
    if kind == "letters":
        return body[:5] + draw(st.sampled_from("IOSVZ")) + body[6:] + check
    if kind == "length":
        return (body + check)[: draw(st.integers(0, 17))]
    return draw(st.text(alphabet=CREDIT_CODE_ALPHABET + "iosvz -０１", max_size=20))


@SETTINGS
@given(values=st.lists(credit_codes(), min_size=100, max_size=100))
def test_generated_credit_codes_agree(js, values):
    got = js(
        """values => values.map(v => {
            const r = V.checkCreditCode(v);
            return [r.value, r.ok, r.findings.map(f => [f.code, f.severity])];
        })""",
        values,
    )
    for value, mine in zip(values, got, strict=True):
        res = check_credit_code(value)
        assert mine == [res.value, res.ok, [[f.code, f.severity] for f in res.findings]], value


# --- forms ----------------------------------------------------------------------------------------


def _code_lists() -> dict[str, list[list[str]]]:
    from ybss.core import codes

    slugs = ["sex", "ethnicity", "id_type", "education", "marital", "nationality", "visa_type", "relation",
             "residence_reason", "house_type", "house_use", "house_structure", "ownership", "rental_mode",
             "management_level", "unit_category", "industry", "special_trade", "unit_status",
             "hazard"]  # fmt: skip
    return {s: [[c, str(label)] for c, label in codes.choices(s, blank=False)] for s in slugs}


def _person_cases() -> list[dict[str, Any]]:
    good = {"name": "李建国", "id_number": _id("610524", "19820315", 131), "sex": "1", "ethnicity": "01"}
    long = "长" * 61
    return [
        good,
        {},
        {**good, "name": ""},
        {**good, "name": long},
        {**good, "sex": ""},
        {**good, "sex": "2"},
        {**good, "sex": "7"},
        {**good, "id_number": good["id_number"][:-1] + "0"},
        {**good, "id_number": "12345"},
        {**good, "birth_date": dt.date(1982, 3, 15)},
        {**good, "birth_date": dt.date(1983, 3, 15)},
        {**good, "birth_date": TODAY + dt.timedelta(days=3)},
        {**good, "phone": "13912345678", "phone2": "0913-5512345"},
        {**good, "phone": "12345"},
        {**good, "ethnicity": "99"},
        {**good, "hukou_division_code": "61052"},
        {**good, "hukou_division_code": "610524001"},
        {**good, "id_type": "414", "id_number": "E12345678"},
        {**good, "id_type": "414", "id_number": "E12345678", "nationality": "KOR"},
        {**good, "id_type": "999"},
        {**good, "former_names": "x" * 121, "employer": "y" * 101, "occupation": "z" * 61},
        {**good, "entry_date": TODAY + dt.timedelta(days=1)},
        {**good, "education": "21", "marital": "20"},
        {**good, "education": "00", "marital": "99"},
    ]


def _house_cases() -> list[dict[str, Any]]:
    good = {"house_type": "apartment", "use": "self"}
    return [
        good,
        {"house_type": "", "use": ""},
        {**good, "house_type": "castle"},
        {**good, "use": "rented"},
        {**good, "use": "rented", "rental_mode": "whole"},
        {**good, "floors": 0, "rooms": 1000, "area": 0},
        {**good, "floors": 200, "rooms": 0, "area": 100000},
        {**good, "structure": "glass", "ownership": "private"},
        {**good, "owner_name": "王" * 41, "owner_id_number": "610524198203151310"},
        {**good, "owner_id_number": _id("610524", "19820315", 131), "owner_phone": "139-1234-5678"},
        {**good, "owner_phone": "5512345"},
        {**good, "management_level": "Z"},
        {**good, "rental_start": TODAY + dt.timedelta(days=10)},
    ]


def _unit_cases() -> list[dict[str, Any]]:
    good = {"name": "合阳县金水小卖部", "category": "individual"}
    adult = _id("610524", "19820315", 131)
    child = _id("610524", (TODAY - dt.timedelta(days=365 * 10)).strftime("%Y%m%d"), 131)
    code = "91610524" + "MA6Y7R8P9"
    return [
        good,
        {"name": "", "category": ""},
        {**good, "name": "店" * 101, "legal_rep_name": "李" * 41},
        {**good, "category": "shop", "industry": "Q", "special_trade": "castle"},
        {**good, "industry": "F", "special_trade": "hotel", "hazards": ["hazardous_chemical", "nothing"]},
        {**good, "biz_status": ""},
        {**good, "biz_status": "closed"},
        {**good, "credit_code": code + credit_check_char(code)},
        {**good, "credit_code": code + "0"},
        {**good, "credit_code": "91610524MA6Y7R8P9I"},
        {**good, "legal_rep_id_number": adult, "legal_rep_phone": "13912345678", "phone": "0913-5512345"},
        {**good, "legal_rep_id_number": child},
        {**good, "legal_rep_id_number": adult[:-1] + "0", "security_lead_id_number": child},
        {**good, "phone": "12345", "security_lead_phone": "abc"},
        {**good, "opened_on": TODAY + dt.timedelta(days=5)},
        {**good, "opened_on": dt.date(2020, 1, 1), "closed_on": dt.date(2019, 1, 1)},
    ]


def _jsonable(case: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in case.items()}


@pytest.mark.django_db
def test_person_house_and_unit_forms_flag_the_same_fields(js, county):
    from ybss.addresses.models import StandardAddress
    from ybss.core.errors import FieldErrors, InvalidInput
    from ybss.registry.services import (
        HouseData,
        PersonData,
        UnitData,
        _validate_person,
        house_check,
        unit_check,
    )

    today = dt.date.today().isoformat()
    lists = _code_lists()
    persons = _person_cases()
    houses = _house_cases()
    units = _unit_cases()
    got = js(
        """([persons, houses, units, codes, today]) => ({
            persons: persons.map(p => Object.keys(V.validatePerson(p, null, {codes, today}).fields).sort()),
            houses: houses.map(h => Object.keys(
                V.validateHouse(h, {codes, today, landlordPresent: false}).fields).sort()),
            units: units.map(u => Object.keys(V.validateUnit(u, {codes, today}).fields).sort()),
        })""",
        [[_jsonable(c) for c in cases] for cases in (persons, houses, units)] + [lists, today],
    )
    for case, mine in zip(persons, got["persons"], strict=True):
        errors = FieldErrors()
        _validate_person(PersonData(**{"id_number": "", "name": "", **case}), errors)
        assert mine == sorted(errors.fields), case
    for case, mine in zip(houses, got["houses"], strict=True):
        try:
            house_check(HouseData(**case))
            theirs: list[str] = []
        except InvalidInput as exc:
            theirs = sorted(exc.fields)
        assert mine == theirs, asdict(HouseData(**case))
    in_force = StandardAddress(status="accepted")
    for case, mine in zip(units, got["units"], strict=True):
        try:
            unit_check(UnitData(**case), address=in_force)
            theirs = []
        except InvalidInput as exc:
            theirs = sorted(exc.fields)
        assert mine == theirs, case
