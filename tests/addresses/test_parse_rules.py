"""``parse``: police-level components and CCKS labels with spans into the text as written, from the
rules and the gazetteer (and from the trained tagger's labels when one is installed)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ybss.addresses.parsing as parsing
from ybss.addresses import matching
from ybss.addresses.models import AddressAlias, AddressElement
from ybss.addresses.parsing import Span, gazetteer, parse, shapes
from ybss.addresses.parsing.labels import rule_label_spans

GZ = gazetteer.shipped("610524")
_CN = "〇一二三四五六七八九"


def cn(n: int) -> str:
    """12 → 十二."""
    if n < 10:
        return _CN[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")
    return "".join(_CN[int(c)] for c in str(n))


def p(text: str):  # type: ignore[no-untyped-def]
    return parse(text, gazetteer=GZ, use_model=False)


def parts(text: str) -> list[tuple[str, str]]:
    return [(c.label, c.text) for c in p(text).components]


def test_a_room_address_reads_every_police_level():
    parsed = p("陕西省渭南市合阳县城关街道金水社区凤凰路18号附3号金水小区12号楼3单元10层1001室")
    assert parts(parsed.text) == [
        ("province", "陕西省"),
        ("city", "渭南市"),
        ("county", "合阳县"),
        ("town", "城关街道"),
        ("community", "金水社区"),
        ("road", "凤凰路"),
        ("door_number", "18号"),
        ("sub_number", "附3号"),
        ("compound", "金水小区"),
        ("building", "12号楼"),
        ("unit", "3单元"),
        ("floor", "10层"),
        ("room", "1001室"),
    ]
    assert parsed.values == {
        "province": "陕西省",
        "city": "渭南市",
        "county": "合阳县",
        "town": "城关街道",
        "community": "金水社区",
        "road": "凤凰路",
        "door_number": "18",
        "sub_number": "3",
        "compound": "金水小区",
        "building": "12",
        "unit": "3",
        "floor": "10",
        "room": "1001",
    }
    assert parsed.codes["community"] == "610524001003"
    assert parsed.codes["town"] == "610524001000"


def test_a_rural_address_reads_village_group_and_door():
    assert parts("合阳县同家庄镇三池村二组12号") == [
        ("county", "合阳县"),
        ("town", "同家庄镇"),
        ("village", "三池村"),
        ("group", "二组"),
        ("door_number", "12号"),
    ]
    assert p("合阳县同家庄镇三池村二组12号").values["group"] == "2"


def test_spans_point_into_the_text_as_written():
    text = " 合陽縣 城關鎮，鳳凰路１８號 金水小區十二栋三单元五〇一 "
    parsed = p(text)
    for span in parsed.components + parsed.labels:
        assert text[span.start : span.end] == span.text
    assert [(c.label, c.text) for c in parsed.components][3:] == [
        ("door_number", "１８號"),
        ("compound", "金水小區"),
        ("building", "十二栋"),
        ("unit", "三单元"),
        ("room", "五〇一"),
    ]
    assert parsed.values["town"] == "城关街道"
    assert (parsed.values["building"], parsed.values["unit"], parsed.values["room"]) == ("12", "3", "501")


@pytest.mark.parametrize(
    ("text", "floor"),
    [
        ("3号楼负一层", "-1"),
        ("3号楼地下2层", "-2"),
        ("3号楼B1", "-1"),
        ("3号楼十二层", "12"),
        ("3号楼5楼", "5"),
    ],
)
def test_floors_above_and_below_ground(text, floor):
    assert p(text).values["floor"] == floor


def test_a_building_written_as_floor_before_a_unit_is_a_building():
    assert p("金水小区3楼2单元501").values == {
        "compound": "金水小区",
        "building": "3",
        "unit": "2",
        "room": "501",
    }


def test_shorthand_building_unit_room():
    assert p("金水小区12-3-1001").values == {
        "compound": "金水小区",
        "building": "12",
        "unit": "3",
        "room": "1001",
    }
    assert p("金水小区12栋3-1001").values == {
        "compound": "金水小区",
        "building": "12",
        "unit": "3",
        "room": "1001",
    }
    assert [(c.label, c.text) for c in p("金水小区12-3-1001").components] == [
        ("compound", "金水小区"),
        ("building", "12"),
        ("unit", "3"),
        ("room", "1001"),
    ]


def test_a_village_name_several_townships_share_has_no_code_without_its_township():
    parsed = p("街道社区1组1号")
    assert parsed.values["community"] == "街道社区"
    assert "community" not in parsed.codes
    assert p("百良镇街道社区1组1号").codes["community"] == "610524111001"


def test_ccks_labels_by_rule():
    parsed = p("浙江省杭州市西湖区文三路259号昌地火炬大厦1号楼5层501室旁边")
    assert [(s.label, s.text) for s in parsed.labels] == [
        ("prov", "浙江省"),
        ("city", "杭州市"),
        ("district", "西湖区"),
        ("road", "文三路"),
        ("roadno", "259号"),
        ("poi", "昌地火炬大厦"),
        ("houseno", "1号楼"),
        ("floorno", "5层"),
        ("roomno", "501室"),
        ("assist", "旁边"),
    ]


def test_labels_come_from_the_trained_tagger_when_one_is_installed(monkeypatch):
    class Tagger:
        def tag(self, text: str) -> list[Span]:
            return [Span("poi", text, 0, len(text))]

    monkeypatch.setattr(parsing, "current_tagger", lambda: Tagger())
    assert parse("凤凰路18号", gazetteer=GZ).labels == [Span("poi", "凤凰路18号", 0, 6)]
    assert parse("凤凰路18号", gazetteer=GZ, use_model=False).labels[0].label == "road"


def test_a_parsed_address_is_plain_data():
    parsed = p("城关街道凤凰路18号")
    data = dataclasses.asdict(parsed)
    assert data["labels"][0] == {"label": "town", "text": "城关街道", "start": 0, "end": 4}
    assert set(data) == {"text", "normalised", "components", "labels", "values", "codes"}
    assert dataclasses.replace(parsed, text="x").labels == parsed.labels


@settings(max_examples=300, deadline=None)
@given(
    template=st.sampled_from(
        [
            "陕西省渭南市合阳县甘井镇麻阳村{}组{}号",
            "合阳县城关镇凤凰路{}号金水小区{}栋{}单元{}室",
            "城关街道金水小区{}-{}-{}",
            "金水小区{}号楼{}楼{}",
            "城关街道凤凰路{}-{}号",
            "３号楼B{}层{}室{}",
            "凤凰路{}号{}号楼",
            "渭南合阳坊镇灵井村{}组{}号",
            "城关街道金水小区{}号楼{}单元{}室",
            "{}号楼负{}层",
            "城关街道凤凰路{}号附{}号",
            "路井镇路一村{}组{}",
        ]
    ),
    numbers=st.lists(
        st.integers(0, 2000).map(str)
        | st.from_regex(r"0\d{1,3}", fullmatch=True)
        | st.integers(0, 120).map(cn)
        | st.from_regex(r"[一二三四五六七八九][〇零][一二三四五六七八九〇]", fullmatch=True)
        | st.from_regex(r"[十百千两〇一二三]{1,3}", fullmatch=True)
        | st.from_regex(r"[１-９][０-９]?", fullmatch=True),
        min_size=4,
        max_size=4,
    ),
)
def test_the_shape_cache_parses_exactly_as_the_rules(template, numbers):
    text = template.format(*numbers)
    runs = [parse(text, gazetteer=GZ, use_model=False) for _ in range(3)]  # seen, shaped, reused
    rules = shapes.full(text, GZ)
    assert shapes.shape_of(text) in GZ.shapes or shapes.shape_of(text, False) in GZ.shapes or GZ.digit_names
    for got in runs:
        assert (got.normalised, got.components, got.values, got.codes) == (
            rules.normalised,
            rules.components,
            rules.values,
            rules.codes,
        )
        assert [(s.label, s.start, s.end) for s in got.labels] == rule_label_spans(rules.analysis)


TEMPLATES = (
    "陕西省渭南市合阳县甘井镇麻阳村{}组{}号",
    "合阳县城关镇凤凰路{}号金水小区{}栋{}单元{}室",
    "城关街道金水小区{}-{}-{}",
    "３号楼B{}层{}室{}",
    "渭南合阳坊镇灵井村{}组{}号",
    "城关街道凤凰路{}号附{}号",
)
NUMBER = (
    st.integers(0, 2000).map(str)
    | st.from_regex(r"0\d{1,3}", fullmatch=True)
    | st.integers(0, 120).map(cn)
    | st.from_regex(r"[１-９][０-９]?", fullmatch=True)
)


@settings(max_examples=100, deadline=None)
@given(
    texts=st.lists(
        st.tuples(st.sampled_from(TEMPLATES), st.lists(NUMBER, min_size=4, max_size=4)).map(
            lambda tn: tn[0].format(*tn[1])
        )
        | st.text(max_size=20),
        max_size=30,
    ),
    batch=st.integers(1, 8),
)
def test_parse_many_reads_each_text_as_parse_does(texts, batch):
    got = list(parsing.parse_many(texts, gazetteer=GZ, use_model=False, batch=batch))
    assert [g.text for g in got] == texts
    for text, g in zip(texts, got, strict=True):
        rules = shapes.full(text, GZ)
        assert (g.normalised, g.components, g.values, g.codes) == (
            rules.normalised,
            rules.components,
            rules.values,
            rules.codes,
        )
        assert [(s.label, s.start, s.end) for s in g.labels] == rule_label_spans(rules.analysis)


def test_a_gazetteer_with_digits_in_its_names_is_not_cached():
    gz = gazetteer.build(
        home="610524",
        divisions=gazetteer.shipped_local_divisions("610524"),
        elements=[(1, "42", "1号院", "610524001003", [])],
    )
    assert gz.digit_names
    assert parse("城关街道1号院3号楼", gazetteer=gz).values["compound"] == "1号院"
    assert gz.shapes == {}


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40))
def test_any_text_parses_and_its_spans_hold(text):
    parsed = p(text)
    for span in parsed.components + parsed.labels:
        assert text[span.start : span.end] == span.text


# --- the gazetteer learns the county's names --------------------------------------------------


def test_a_new_element_is_known_at_once(county):
    assert parse("城关街道幸福里3号楼").values.get("compound") != "幸福里"
    AddressElement.objects.create(kind="42", name="幸福里", division=county.a.village)
    assert parse("城关街道幸福里3号楼").values["compound"] == "幸福里"


def test_an_element_alias_reads_as_the_element(county):
    AddressElement.objects.create(kind="41", name="东大街", division=county.a.village, aliases=["老城东街"])
    parsed = parse("城关街道老城东街18号")
    assert parsed.values["road"] == "东大街"
    assert parsed.normalised == "陕西省渭南市合阳县城关街道东大街18号"


def test_elements_written_in_bulk_are_known_after_the_stamp_check(county, monkeypatch):
    parse("城关街道凤凰路1号")  # the gazetteer is built and cached
    monkeypatch.setattr(gazetteer, "CHECK_SECONDS", 0.0)
    AddressElement.objects.bulk_create(
        [AddressElement(kind="43", name="粮站大院子", division=county.a.village)]
    )
    assert parse("城关街道粮站大院子2号楼").values["compound"] == "粮站大院子"


def test_an_address_alias_names_its_address(county):
    AddressAlias.objects.create(address=county.a.door, name="老粮站", kind="old")
    result = matching.match("老粮站")
    assert result.state == "matched" and result.best.address_id == county.a.door.pk
    assert parse("老粮站").components == [Span("poi", "老粮站", 0, 3)]


def test_a_township_a_county_has_not_is_not_read_as_its_own(county):
    parsed = parse("甘肃省兰州市城关区凤凰路18号")
    assert parsed.codes["county"] == "620102000000"
    assert "town" not in parsed.values
