"""The engine adapter (``cleaning.engine``) and the pure comparison (``cleaning.compare``)."""

from __future__ import annotations

import pytest

from tests.factories import AddressFactory
from ybss.addresses.parsing.types import Span
from ybss.cleaning import compare, engine
from ybss.cleaning.models import NotDuplicate


def test_the_real_engine_is_used():
    """The stand-in is only for a tree without ``ybss.addresses.matching``."""
    assert engine.engine() is not None and engine.engine().__name__ == "ybss.addresses.matching"


@pytest.mark.django_db
def test_the_stand_in_matches_by_full_name_and_groups_same_names(county, monkeypatch):
    monkeypatch.setattr(engine, "engine", lambda: None)
    officer = county.a.users["officer"]
    result = engine.match(county.a.room.full_name, actor=officer)
    assert result.state == "matched" and result.best.address_id == county.a.room.pk
    assert engine.match(county.b.room.full_name, actor=officer).candidates == []
    stamp = {"division": county.a.village, "police_unit": county.a.district, "road": county.a.road}
    x = AddressFactory(door_number="50", full_name="合阳县城关街道a测试路50号", **stamp)
    y = AddressFactory(door_number="50", full_name="合阳县城关街道a测试路50号", **stamp)
    assert [x.pk, y.pk] in engine.find_duplicates(actor=officer)
    NotDuplicate.objects.create(address_a=x, address_b=y, decided_at=x.created_at)
    assert [x.pk, y.pk] not in engine.find_duplicates(actor=officer)
    parsed = engine._fallback_parse("城关街道凤凰路18号附2号金水小区3号楼2单元501室")
    assert parsed.values == {
        "town": "城关街道",
        "road": "凤凰路",
        "door_number": "18",
        "sub_number": "2",
        "compound": "金水小区",
        "building": "3",
        "unit": "2",
        "room": "501",
    }


@pytest.mark.parametrize(
    ("key", "a", "b", "same"),
    [
        ("group", "3", "3组", True),
        ("door_number", "018", "18号", True),
        ("building", "12号楼", "12", True),
        ("room", "501室", "0501", True),
        ("room", "501", "502", False),
        ("road", "凤凰路", "凤凰路", True),
        ("road", "凤凰路", "文化路", False),
        ("unit", "２单元", "2", True),
    ],
)
def test_canonical_values_compare_by_number_not_by_unit_word(key, a, b, same):
    assert (compare.canonical(key, a) == compare.canonical(key, b)) is same


def test_rows_mark_what_differs_in_address_order():
    rows = compare.rows(
        {"road": "凤凰路", "door_number": "18", "room": "501", "village": "金水社区"},
        {"community": "金水社区", "road": "凤凰路", "door_number": "18", "unit": "2", "room": "502"},
    )
    assert [(r.key, r.differs) for r in rows] == [
        ("community", False),
        ("road", False),
        ("door_number", False),
        ("unit", False),  # the text does not say: not a difference
        ("room", True),
    ]


def test_segments_cover_the_text_and_skip_bad_spans():
    text = "凤凰路18号附近"
    spans = [Span("road", "凤凰路", 0, 3), Span("door_number", "18号", 3, 6), Span("x", "", 5, 99)]
    segs = compare.segments(text, spans)
    assert "".join(s.text for s in segs) == text
    assert [(s.text, s.label) for s in segs] == [("凤凰路", "road"), ("18号", "door_number"), ("附近", "")]
    assert segs[0].title == "街路巷" or segs[0].title == "Street / road / lane"
