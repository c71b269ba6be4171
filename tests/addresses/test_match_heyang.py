"""Heyang addresses in the shapes officers write them parse and match to the right standard address.

The county is the demo generator's (scale 0.05, seed 7: 7,336 addresses), loaded once for the module
and rolled back at its end. The addresses below were picked from it; each case's text is written
from the address's parts in one of the shapes met in the field — with or without 陕西省/渭南市, the
old name 城关镇, 村 for 社区, Chinese numerals, traditional characters, full-width digits, spaces
and punctuation, the 12-3-1001 and 12栋3-1001 shorthands — and the expected answer is the address
code.
"""

from __future__ import annotations

import dataclasses

import opencc
import pytest
from django.db import transaction

from ybss.addresses import matching
from ybss.addresses.models import StandardAddress
from ybss.addresses.parsing import gazetteer, parse
from ybss.demo.generate import generate
from ybss.demo.load import load
from ybss.org.models import User

#: Every test reads the module's county inside its own (nested, rolled back) transaction.
pytestmark = pytest.mark.django_db

SCALE, SEED = 0.05, 7
_S2T = opencc.OpenCC("s2t")
_CN = "〇一二三四五六七八九"
_FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def cn(n: int) -> str:
    """12 → 十二, 6 → 六 (numbers as officers write them)."""
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


def cn_digits(n: int | str) -> str:
    """501 → 五〇一 (room numbers are read digit by digit)."""
    return "".join(_CN[int(c)] for c in str(n))


def trad(s: str) -> str:
    return _S2T.convert(s)


def full(s: str | int) -> str:
    return str(s).translate(_FULL)


def swap_suffix(village: str) -> str:
    """The other village suffix: 小村社区 → 小村村, 灵井村 → 灵井社区."""
    return village[:-2] + "村" if village.endswith("社区") else village[:-1] + "社区"


# code, township, village, group, door; unique: the village name is unique in the county
RURAL = [
    ("610524001236-3403-009", "城关街道", "西卓子村", 3, 9, True),
    ("610524101006-3405-006", "甘井镇", "小村社区", 5, 6, True),
    ("610524102225-3404-007", "坊镇", "灵井村", 4, 7, True),
    ("610524103204-3402-006", "洽川镇", "莘里村", 2, 6, True),
    ("610524104218-3404-006", "新池镇", "牛庄村", 4, 6, True),
    ("610524105002-3402-006", "黑池镇", "马家庄社区", 2, 6, True),
    ("610524106232-3404-006", "路井镇", "岱堡村", 4, 6, True),
    ("610524107007-3403-006", "和家庄镇", "五丰社区", 3, 6, False),
    ("610524108005-3401-008", "王村镇", "井溢社区", 1, 8, True),
    ("610524110217-3402-007", "同家庄镇", "三池村", 2, 7, True),
    ("610524111001-3403-007", "百良镇", "街道社区", 3, 7, False),
    ("610524112003-3402-007", "金峪镇", "背河社区", 2, 7, True),
    ("610524111201-3404-006", "百良镇", "百东村", 4, 6, True),
]
RURAL_SHAPES = [
    ("full", lambda t, v, g, d: f"陕西省渭南市合阳县{t}{v}{g}组{d}号"),
    ("county", lambda t, v, g, d: f"合阳县{t}{v}{g}组{d}号"),
    ("short+numerals", lambda t, v, g, d: f"渭南合阳{t}{v}{cn(g)}组{cn(d)}号"),
    ("traditional", lambda t, v, g, d: trad(f"陕西省 渭南市 合阳县 {t} {v} ") + f"{full(g)}組{full(d)}號"),
    ("other suffix", lambda t, v, g, d: f"{t}{swap_suffix(v)}{g}组{d}"),
    ("noise", lambda t, v, g, d: f"合阳县，{t}·{v}（第{cn(g)}组） {d}号"),
]
RURAL_UNIQUE_SHAPES = [
    ("no township", lambda t, v, g, d: f"{v}第{cn(g)}组{d}号"),
]

# code, street, door, compound, building, unit, room
ROOMS = [
    ("610524001008-4101-001-05-3-0502", "东新街", 1, "金水小区", 5, 3, "502"),
    ("610524001008-4101-001-08-2-1801", "东新街", 1, "金水小区", 8, 2, "1801"),
    ("610524001010-4101-001-04-1-1702", "北环路", 1, "凤凰家园", 4, 1, "1702"),
    ("610524001010-4101-001-03-3-0101", "北环路", 1, "凤凰家园", 3, 3, "101"),
    ("610524001003-4103-001-03-1-0701", "马道巷", 1, "和园", 3, 1, "701"),
    ("610524001017-4101-001-02-2-0402", "九龙路", 1, "县医院家属院", 2, 2, "402"),
    ("610524001015-4102-001-07-1-0803", "仓巷", 1, "阳光花园", 7, 1, "803"),
    ("610524001020-4101-001-01-2-0401", "育才路", 1, "锦绣华庭", 1, 2, "401"),
]
ROOM_SHAPES = [
    ("full", lambda s, d, c, b, u, r: f"陕西省渭南市合阳县城关街道{s}{d}号{c}{b}号楼{u}单元{r}室"),
    ("old name, 栋", lambda s, d, c, b, u, r: f"合阳县城关镇{s}{d}号{c}{b}栋{u}单元{r}室"),
    ("12-3-1001", lambda s, d, c, b, u, r: f"{c}{b}-{u}-{r}"),
    ("12栋3-1001", lambda s, d, c, b, u, r: f"城关街道{c}{b}栋{u}-{r}室"),
    ("numerals", lambda s, d, c, b, u, r: f"合阳{s}{cn(d)}号{c}{cn(b)}号楼{cn(u)}单元{cn_digits(r)}室"),
    (
        "traditional",
        lambda s, d, c, b, u, r: (
            trad(f"渭南市合阳县 城关街道，{s}")
            + f"{full(d)}號 "
            + trad(c)
            + f"{full(b)}幢{full(u)}單元{full(r)}"
        ),
    ),
]

# code, street, door, compound, building (door plates of buildings)
BUILDINGS = [
    ("610524001008-4101-001-03", "东新街", 1, "金水小区", 3),
    ("610524001010-4101-001-04", "北环路", 1, "凤凰家园", 4),
    ("610524001003-4103-001-01", "马道巷", 1, "和园", 1),
    ("610524001015-4102-001-03", "仓巷", 1, "阳光花园", 3),
]
BUILDING_SHAPES = [
    ("compound", lambda s, d, c, b: f"城关街道{c}{b}号楼"),
    ("street+栋", lambda s, d, c, b: f"合阳县城关街道{s}{d}号{c}{b}栋"),
    ("numerals", lambda s, d, c, b: f"{s}{cn(d)}号{c}{cn(b)}号楼"),
]

# code, township, community, street, door (shops: door plates on a street)
SHOPS = [
    ("610524001002-4101-006", "城关街道", "环北社区", "体育路", 6),
    ("610524111001-4102-003", "百良镇", "街道社区", "新街", 3),
    ("610524112001-4102-007", "金峪镇", "方寨社区", "新街", 7),
    ("610524102001-4101-005", "坊镇", "街道社区", "正街", 5),
    ("610524001020-4103-006", "城关街道", "南苑社区", "医院巷", 6),
    ("610524001005-4103-001", "城关街道", "北街社区", "澽水路", 1),
]
SHOP_SHAPES = [
    ("township", lambda t, c, s, d: f"{t}{s}{d}号"),
    ("short+numerals", lambda t, c, s, d: f"合阳{t}{s}{cn(d)}号"),
    ("with community", lambda t, c, s, d: f"陕西省渭南市合阳县{t}{c}{s}{d}号"),
]


def _cases() -> list[tuple[str, str]]:
    cases = []
    for code, t, v, g, d, unique in RURAL:
        for _name, shape in RURAL_SHAPES + (RURAL_UNIQUE_SHAPES if unique else []):
            cases.append((code, shape(t, v, g, d)))
    cases.append(("610524001236-3403-009", "合阳县城关镇西卓子村3组9号"))
    for code, *parts in ROOMS:
        for _name, shape in ROOM_SHAPES:
            cases.append((code, shape(*parts)))
    for code, *parts in BUILDINGS:
        for _name, shape in BUILDING_SHAPES:
            cases.append((code, shape(*parts)))
    for code, *parts in SHOPS:
        for _name, shape in SHOP_SHAPES:
            cases.append((code, shape(*parts)))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def heyang(django_db_setup, django_db_blocker):
    """The demo county's organisation and addresses, for this module only (rolled back)."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            data = generate(SCALE, SEED)
            keep = ("addresses_addresselement", "addresses_standardaddress")
            data = dataclasses.replace(data, tables={k: data.tables[k] for k in keep})
            load(data, password_hash="!")
            gazetteer.invalidate()
            matching.invalidate()
            yield dict(StandardAddress.objects.values_list("code", "id"))
            transaction.set_rollback(True)
        gazetteer.invalidate()
        matching.invalidate()


def test_there_are_at_least_100_cases():
    assert len(CASES) >= 100
    assert len({text for _code, text in CASES}) == len(CASES)


@pytest.mark.parametrize(("code", "text"), CASES, ids=[t for _c, t in CASES])
def test_address_matches(heyang, code, text):
    result = matching.match(text)
    assert result.state == "matched", (result.state, [(c.code, c.score, c.reason) for c in result.candidates])
    assert result.best is not None and result.best.code == code
    assert result.best.address_id == heyang[code]
    assert 0.85 <= result.best.score <= 1.0 and result.best.reason


@pytest.mark.parametrize(("code", "text"), CASES[::7], ids=[t for _c, t in CASES[::7]])
def test_address_parses_into_its_parts(heyang, code, text):
    address = StandardAddress.objects.select_related("road", "compound").get(code=code)
    values = parse(text).values
    assert values["door_number" if address.level == "door" and not address.building else "building"]
    if address.road is not None and address.road.kind == "34":
        assert values["group"] + "组" == address.road.name
        assert values["door_number"] == address.door_number
    if address.room_no:
        assert (values["unit"], values["room"]) == (address.unit_no, address.room_no.lstrip("0"))
        assert values["building"] + "号楼" == address.building


def test_the_full_name_of_every_address_matches_itself(heyang):
    index = matching.current_index()
    wrong = []
    for pk, name in StandardAddress.objects.values_list("id", "full_name"):
        result = index.match(name)
        if pk not in [c.address_id for c in result.candidates]:
            wrong.append(name)
    assert wrong == []


def test_a_room_that_does_not_exist_gives_its_door_plate_as_parent(heyang):
    result = matching.match("城关街道金水小区3号楼9单元9901室")
    assert result.state == "unmatched" and result.best is None
    assert result.parent_id == heyang["610524001008-4101-001-03"]


def test_a_door_number_that_does_not_exist_is_unmatched(heyang):
    result = matching.match("合阳县坊镇灵井村4组999号")
    assert (result.state, result.best, result.parent_id) == ("unmatched", None, None)
    assert result.parsed.values["group"] == "4"


@pytest.mark.parametrize(
    "text",
    ["合阳县城关街道不存在路99号", "陕西省渭南市大荔县城关镇灵井村4组7号", "", "！！！", "12345"],
)
def test_text_naming_no_address_is_unmatched(heyang, text):
    result = matching.match(text)
    assert result.state == "unmatched"
    assert result.best is None


def test_a_village_name_two_townships_share_is_ambiguous_without_the_township(heyang):
    result = matching.match("五丰社区3组6号")
    assert result.state == "ambiguous"
    assert {c.code for c in result.candidates[:2]} == {"610524105004-3403-006", "610524107007-3403-006"}


def test_a_room_without_its_unit_is_ambiguous_when_several_units_have_it(heyang):
    result = matching.match("城关街道金水小区3号楼501室")
    assert result.state == "ambiguous"
    assert len(result.candidates) >= 2
    assert all(c.code.startswith("610524001008-4101-001-03-") for c in result.candidates)


def test_a_user_only_gets_candidates_in_their_jurisdiction(heyang):
    text = "合阳县百良镇百东村4组6号"
    assert matching.match(text, actor=User.objects.get(username="admin")).state == "matched"
    officer = User.objects.get(username="jinshui_officer1")
    result = matching.match(text, actor=officer)
    assert (result.state, result.candidates) == ("unmatched", [])


def test_a_user_in_scope_gets_the_match(heyang):
    officer = User.objects.get(username="jinshui_officer1")
    address = StandardAddress.objects.filter(
        police_unit__pk__startswith=officer.police_unit.prefix, level="room"
    ).first()
    assert address is not None
    result = matching.match(address.full_name, actor=officer)
    assert result.state == "matched" and result.best.address_id == address.pk


def test_the_demo_county_has_no_duplicates(heyang):
    assert matching.find_duplicates() == []


def test_an_address_entered_twice_is_a_duplicate_group(heyang):
    original = StandardAddress.objects.get(code="610524102225-3404-007")
    with transaction.atomic():
        copy = StandardAddress.objects.get(pk=original.pk)
        copy.pk = None
        copy.code = original.code + "-X"
        copy.status = "draft"
        copy.save()
        typo = StandardAddress.objects.get(code="610524106232-3404-006")
        typo.pk = None
        typo.code += "-T"
        typo.full_name = typo.full_name.replace("岱堡村", "岱堡邨")
        typo.door_number = "60"  # a wrong part as well: only the name says they are one place
        typo.save()
        groups = matching.find_duplicates()
        transaction.set_rollback(True)
    matching.invalidate()
    assert [original.pk, copy.pk] in groups
    assert [heyang["610524106232-3404-006"], typo.pk] in groups
    assert len(groups) == 2
