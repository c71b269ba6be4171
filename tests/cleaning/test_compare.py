"""The pure side-by-side comparison of the cleaning pages (``cleaning.compare``)."""

from __future__ import annotations

import pytest

from ybss.addresses.parsing.types import Span
from ybss.cleaning import compare


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
