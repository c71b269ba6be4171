"""``normalise``: one canonical form for the many ways an address is written (pure: the shipped
county gazetteer, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ybss.addresses.naming import full_name
from ybss.addresses.parsing import gazetteer, normalise
from ybss.addresses.parsing.numerals import cn_to_int

GZ = gazetteer.shipped("610524")
HEYANG = "陕西省渭南市合阳县"


def norm(text: str) -> str:
    return normalise(text, gazetteer=GZ)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("一百零一", 101),
        ("一千零一", 1001),
        ("二〇一", 201),
        ("一〇〇一", 1001),
        ("两百", 200),
        ("五零一", 501),
    ],
)
def test_chinese_numerals_read_as_numbers(text, number):
    assert cn_to_int(text) == number


@pytest.mark.parametrize("text", ["", "十十", "二二十", "百千", "两两"])
def test_malformed_numerals_are_not_numbers(text):
    assert cn_to_int(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("合阳县甘井镇麻阳村三组十二号", f"{HEYANG}甘井镇麻阳社区3组12号"),
        ("城关街道金水小区十二号楼二单元五〇一室", f"{HEYANG}城关街道金水小区12号楼2单元501室"),
        ("城关街道凤凰路18号二〇一室", f"{HEYANG}城关街道凤凰路18号201室"),
        ("城关街道金水小区3号楼负一层", f"{HEYANG}城关街道金水小区3号楼-1层"),
        ("城关街道金水小区3号楼地下一层", f"{HEYANG}城关街道金水小区3号楼-1层"),
        ("城关街道金水小区3号楼地下2层", f"{HEYANG}城关街道金水小区3号楼-2层"),
        ("城关街道金水小区3号楼B1", f"{HEYANG}城关街道金水小区3号楼-1层"),
        ("甘井镇麻阳村第三组5号", f"{HEYANG}甘井镇麻阳社区3组5号"),
        ("城关街道凤凰路18号附三号", f"{HEYANG}城关街道凤凰路18号附3号"),
    ],
)
def test_numerals_that_count_become_digits(text, expected):
    assert norm(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("同家庄镇三池村二组1号", f"{HEYANG}同家庄镇三池村2组1号"),
        ("路井镇路一村七组3号", f"{HEYANG}路井镇路一村7组3号"),
        ("坊镇七一村1组1号", "七一村"),
        ("黑池镇五丰社区1组2号", f"{HEYANG}黑池镇五丰社区1组2号"),
        ("城关街道三里屯3号", f"{HEYANG}城关街道三里屯3号"),
        ("城关街道六一路8号", f"{HEYANG}城关街道六一路8号"),
    ],
)
def test_numerals_inside_names_stay(text, expected):
    assert expected in norm(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("金水小区12栋3单元1001室", "金水小区12号楼3单元1001室"),
        ("金水小区12幢3单元1001户", "金水小区12号楼3单元1001室"),
        ("金水小区12号楼3单元1001", "金水小区12号楼3单元1001室"),
        ("金水小区A座3单元1001室", "金水小区A座3单元1001室"),
        ("金水小区12-3-1001", "金水小区12号楼3单元1001室"),
        ("金水小区12栋3-1001", "金水小区12号楼3单元1001室"),
        ("金水小区12#楼3单元1001", "金水小区12号楼3单元1001室"),
        ("金水小区3楼2单元501", "金水小区3号楼2单元501室"),
        ("金水小区3号楼5楼501", "金水小区3号楼5层501室"),
        ("凤凰路18-3号", "凤凰路18号附3号"),
    ],
)
def test_unit_words_and_shorthands_take_one_form(text, expected):
    assert norm(text).endswith(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("合阳县城关镇凤凰路18号", f"{HEYANG}城关街道凤凰路18号"),
        ("渭南合阳城关街道凤凰路18号", f"{HEYANG}城关街道凤凰路18号"),
        ("合阳城关凤凰路18号", f"{HEYANG}城关街道凤凰路18号"),
        ("陕西合阳县坊镇灵井村4组7号", f"{HEYANG}坊镇灵井村4组7号"),
        ("合阳县", HEYANG),
        ("合阳", HEYANG),
        ("城关街道办事处凤凰路18号", f"{HEYANG}城关街道凤凰路18号"),
        ("坊镇灵井社区4组7号", f"{HEYANG}坊镇灵井村4组7号"),
        ("甘井镇麻阳村委会3组1号", f"{HEYANG}甘井镇麻阳社区3组1号"),
    ],
)
def test_old_names_short_forms_and_abbreviations_are_completed(text, expected):
    assert norm(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("合陽縣城關鎮鳳凰路１８號", f"{HEYANG}城关街道凤凰路18号"),
        (" 合阳县 , 城关街道 ; 凤凰路 18号 ", f"{HEYANG}城关街道凤凰路18号"),
        ("合阳县（城关街道）凤凰路“18号”", f"{HEYANG}城关街道凤凰路18号"),
        ("合阳县城关街道凤凰路18号ａ座", f"{HEYANG}城关街道凤凰路18号A座"),
    ],
)
def test_width_script_spaces_and_punctuation_do_not_matter(text, expected):
    assert norm(text) == expected


def test_another_county_keeps_its_own_names():
    assert norm("北京市朝阳区建国路88号") == "北京市朝阳区建国路88号"
    assert norm("浙江省宁波市江东区金家一路") == "浙江省宁波市江东区金家一路"


def test_another_county_short_form_needs_its_parent():
    assert norm("金华永康市方岩镇") == "浙江省金华市永康市方岩镇"
    assert norm("新城小区3号楼") == "新城小区3号楼"  # not 新城区 of another city


@pytest.mark.parametrize("text", ["", "   ", "，。"])
def test_empty_text_normalises_to_nothing(text):
    assert norm(text) == ""


def _town_villages():
    from ybss.core.data import heyang

    tree = heyang()
    return [(t["name"], v["name"]) for t in tree["towns"] for v in t["villages"]]


@settings(max_examples=200, deadline=None)
@given(
    place=st.sampled_from(_town_villages()),
    group=st.integers(1, 12),
    door=st.integers(1, 400),
)
def test_a_group_address_full_name_normalises_to_itself(place, group, door):
    town, village = place
    name = full_name(
        division_path=["陕西省", "渭南市", "合阳县", town, village], group=f"{group}组", door_number=str(door)
    )
    assert norm(name) == name


@settings(max_examples=200, deadline=None)
@given(
    street=st.sampled_from(["凤凰路", "文化路", "东大街", "马道巷", "迎宾大道", "新华街"]),
    door=st.integers(1, 300),
    sub=st.one_of(st.just(""), st.integers(1, 9).map(str)),
    building=st.integers(1, 30),
    unit=st.integers(1, 6),
    floor=st.integers(1, 33),
    room=st.integers(1, 4),
)
def test_a_room_address_full_name_normalises_to_itself(street, door, sub, building, unit, floor, room):
    name = full_name(
        division_path=["陕西省", "渭南市", "合阳县", "城关街道", "金水社区"],
        street=street,
        door_number=str(door),
        sub_number=sub,
        compound="金水小区",
        building=str(building),
        unit_no=str(unit),
        room_no=f"{floor}{room:02d}",
    )
    assert norm(name) == name


_TOWNS = ["城关街道", "城关镇", "甘井镇", "坊镇", "同家庄镇"]
_VILLAGES = ["麻阳村", "金水社区", "三池村", "路一村", "街道社区", "灵井村"]


def _number(draw, n: int) -> str:  # type: ignore[no-untyped-def]
    style = draw(st.sampled_from(["digits", "full", "cn"]))
    if style == "full":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if style == "cn":
        return (
            "".join("〇一二三四五六七八九"[int(c)] for c in str(n)) if n >= 10 else "〇一二三四五六七八九"[n]
        )
    return str(n)


@st.composite
def messy_addresses(draw):  # type: ignore[no-untyped-def]
    """Addresses in police order, each part in one of the spellings officers use."""
    parts = [
        draw(st.sampled_from(["", "陕西省", "陕西", "渭南", "陕西省渭南市"])),
        draw(st.sampled_from(["", "合阳县", "合阳"])),
    ]
    parts.append(draw(st.sampled_from(_TOWNS)))
    if draw(st.booleans()):
        parts += [draw(st.sampled_from(_VILLAGES)), _number(draw, draw(st.integers(1, 9))) + "组"]
        parts.append(_number(draw, draw(st.integers(1, 120))) + draw(st.sampled_from(["号", "號", ""])))
    else:
        parts.append(draw(st.sampled_from(["凤凰路", "鳳凰路", "东大街", "马道巷"])))
        parts.append(_number(draw, draw(st.integers(1, 120))) + "号")
        parts.append(draw(st.sampled_from(["金水小区", "金水小區", "和园"])))
        b, u, r = draw(st.integers(1, 20)), draw(st.integers(1, 4)), draw(st.integers(101, 1804))
        parts.append(
            draw(
                st.sampled_from(
                    [
                        f"{b}号楼{u}单元{r}室",
                        f"{b}栋{u}单元{r}",
                        f"{b}-{u}-{r}",
                        f"{b}幢{u}-{r}室",
                        f"{_number(draw, b)}号楼{_number(draw, u)}单元{r}室",
                    ]
                )
            )
        )
    sep = draw(st.sampled_from(["", " ", "，", "·"]))
    return sep.join(p for p in parts if p)


@settings(max_examples=300, deadline=None)
@given(text=messy_addresses())
def test_normalising_is_idempotent(text):
    once = norm(text)
    assert norm(once) == once


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40))
def test_any_text_normalises_without_error(text):
    assert isinstance(norm(text), str)
