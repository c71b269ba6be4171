"""The pure unit and address parts of the one-box search (no database)."""

from __future__ import annotations

from ybss.search import places

CHAIN = ["陕西省", "渭南市", "合阳县"]
NAME = "陕西省渭南市合阳县城关街道幸福路12号金水小区3号楼2单元201室"


def _standard(text: str) -> str:
    return {"城關鎮": "陕西省渭南市合阳县城关街道", "2单元201": "2单元201室"}.get(text, text)


def test_unit_terms_recognise_codes_and_names():
    kinds = [t.kind for t in places.unit_terms("91610524MA6Y12345X kca022 恒通釀造 12")]
    assert kinds == ["credit_full", "credit_part", "unit_name"]
    assert places.unit_terms("恒通釀造")[0].name == "恒通酿造"


def test_unit_match_reasons():
    u = places.UnitView("合阳县恒通酿造有限公司", "9161052457W7KCA022", "常军明")
    assert places.unit_match(places.unit_terms("9161052457W7KCA022"), u).reasons == ["credit_exact"]
    assert places.unit_match(places.unit_terms("916105"), u).reasons == ["credit_prefix"]
    assert places.unit_match(places.unit_terms("kca022"), u).reasons == ["credit_suffix"]
    assert places.unit_match(places.unit_terms("恒通釀造"), u).reasons == ["unit_name_part"]
    assert places.unit_match(places.unit_terms("常军明"), u).reasons == ["legal_rep"]
    assert places.unit_match(places.unit_terms("恒通 永兴"), u) is None


def test_address_keys_cover_every_fragment():
    tail = places.stored_tail(NAME, CHAIN)
    assert tail.startswith("城关街道")
    keys = places.address_keys(tail)
    for fragment in ("幸福路12号", "3号楼2单元", "1室", "城关"):
        for pair, nxt in places.lookups(fragment):
            assert any(k[0] == pair and (nxt is None or k[1] == nxt) for k in keys)


def test_address_terms_in_typed_and_standard_form():
    terms = places.address_terms("城關鎮 幸福路１２号 2单元201 zw 1985", CHAIN, _standard)
    assert [t.forms for t in terms] == [("城关镇", "城关街道"), ("幸福路12号",), ("2单元201", "2单元201室")]
    m = places.address_match(terms, places.stored_tail(NAME, CHAIN))
    assert m is not None
    assert m.reasons == ["address_standard", "address_part"]  # 城关镇 read as 城关街道
    assert (
        places.address_match(places.address_terms("幸福路13号", CHAIN), places.stored_tail(NAME, CHAIN))
        is None
    )


def test_audit_terms_mask_codes_but_not_places():
    shown = str(
        places.audit_terms(
            places.unit_terms("61052419850317412X 恒通"), places.address_terms("幸福路", CHAIN)
        )
    )
    assert "61052419850317412X" not in shown
    assert "恒通" in shown and "幸福路" in shown
