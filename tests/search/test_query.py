"""The pure query parser and matcher (no database)."""

from __future__ import annotations

import datetime as dt

from ybss.search import query

P = query.PersonView("61052419850317412X", "张伟", "", "13712345678", "", dt.date(1985, 3, 17))


def _kinds(text):
    return [t.kind for t in query.parse(text)]


def test_parse_recognises_each_kind():
    assert _kinds("61052419850317412X") == ["id_full"]
    assert _kinds("610524********412X") == ["id_masked"]
    assert _kinds("6105241985") == ["digits"]
    assert _kinds("17412X") == ["id_suffix"]
    assert _kinds("13712345678") == ["digits"]
    assert _kinds("zw 1985") == ["letters", "year"]
    assert _kinds("zhangwei") == ["pinyin"]
    assert _kinds("張偉") == ["name"]
    assert _kinds("12 ，") == []


def test_homophone_traditional_and_pinyin_share_keys():
    keys = query.person_keys(P)
    for text in ("张玮", "張偉", "zhangwei"):
        assert {(lk.kind, lk.key) for lk in query.parse(text)[0].lookups} & keys


def test_match_ranks_exact_id_above_name():
    exact = query.match(query.parse("61052419850317412X"), P)
    name = query.match(query.parse("张伟"), P)
    assert exact and name and exact.score > name.score


def test_every_term_must_match():
    assert query.match(query.parse("zw 1990"), P) is None
    m = query.match(query.parse("zw 1985"), P)
    assert m is not None and m.reasons == ["initials", "birth_year"]


def test_initials_and_year_have_a_narrow_source():
    sources = query.sources(query.parse("zw 1985"))
    assert any(lk.kind == "iny" and lk.key == "zw1985" for s in sources for lk in s)
    assert ("iny", "zw1985") in query.person_keys(P)


def test_audit_terms_never_show_whole_identifiers():
    shown = str(query.audit_terms(query.parse("61052419850317412X 13712345678 张伟")))
    assert "61052419850317412X" not in shown and "13712345678" not in shown
