"""The shipped reference data files load and are consistent (no database needed)."""

from __future__ import annotations

import re

from ybss.core import data

# DOMAIN.md §3: Heyang's 12 township-level units.
HEYANG_TOWNS = {
    "610524001": "城关街道",
    "610524101": "甘井镇",
    "610524102": "坊镇",
    "610524103": "洽川镇",
    "610524104": "新池镇",
    "610524105": "黑池镇",
    "610524106": "路井镇",
    "610524107": "和家庄镇",
    "610524108": "王村镇",
    "610524110": "同家庄镇",
    "610524111": "百良镇",
    "610524112": "金峪镇",
}


def test_regions_load_and_contain_heyang() -> None:
    regions = data.regions()
    assert regions["610000"] == "陕西省"
    assert regions["610500"] == "渭南市"
    assert regions["610524"] == "合阳县"
    assert len(regions) > 3000
    assert all(re.fullmatch(r"\d{6}", code) for code in regions)
    assert all(name.strip() for name in regions.values())


def test_abolished_codes_are_known_but_not_current() -> None:
    regions = data.regions()
    abolished = data.abolished_regions()
    codes = [a["code"] for a in abolished]
    assert len(codes) >= 10
    assert len(codes) == len(set(codes))
    assert not set(codes) & set(regions)
    known = data.known_region_codes()
    assert set(codes) <= known
    assert set(regions) <= known
    # Heyang's code before Weinan became a prefecture-level city (1981-1994).
    assert "612132" in known
    for a in abolished:
        assert a["from"] < a["until"]


def test_heyang_towns_match_domain() -> None:
    tree = data.heyang()
    assert tree["county"] == {"code": "610524000000", "name": "合阳县"}
    assert tree["city"]["code"] == "610500000000"
    assert tree["province"]["code"] == "610000000000"
    towns = {t["code"]: t["name"] for t in tree["towns"]}
    assert towns == HEYANG_TOWNS


def test_heyang_villages() -> None:
    villages = [(t["code"], v) for t in data.heyang()["towns"] for v in t["villages"]]
    assert 200 <= len(villages) <= 250  # DOMAIN.md: about 224
    codes = [v["code"] for _, v in villages]
    assert len(codes) == len(set(codes))
    for town_code, v in villages:
        assert re.fullmatch(r"\d{12}", v["code"]), v
        assert v["code"].startswith(town_code), v
        assert v["name"] and not v["name"].endswith("委会"), v
    names = {v["code"]: v["name"] for _, v in villages}
    assert names["610524001003"] == "金水社区"


def test_codelists_codes_unique_and_labelled() -> None:
    lists = data.codelists()
    slugs = [lst["slug"] for lst in lists]
    assert len(slugs) == len(set(slugs))
    for lst in lists:
        # Column sizes of core.CodeList / core.Code.
        assert len(lst["slug"]) <= 40 and len(lst["name_zh"]) <= 60 and len(lst["name_en"]) <= 80
        assert len(lst["standard"]) <= 60
        codes = [c["code"] for c in lst["codes"]]
        assert codes, lst["slug"]
        assert len(codes) == len(set(codes)), lst["slug"]
        for c in lst["codes"]:
            assert c["code"] and c["zh"] and c["en"], (lst["slug"], c)
            assert len(c["code"]) <= 40 and len(c["zh"]) <= 80 and len(c["en"]) <= 120, (lst["slug"], c)


def test_codelists_expected_content() -> None:
    by_slug = {lst["slug"]: {c["code"]: c["zh"] for c in lst["codes"]} for lst in data.codelists()}
    expected = (
        "sex ethnicity id_type relation education marital residence_type residence_reason house_type"
        " house_structure house_use ownership rental_mode management_level unit_category industry"
        " special_trade hazard unit_status nationality visa_type address_element coord_system"
    )
    for slug in expected.split():
        assert slug in by_slug, slug
    assert set(by_slug["sex"]) == {"0", "1", "2", "9"}
    ethnicity = by_slug["ethnicity"]
    assert len(ethnicity) == 58
    assert {f"{i:02d}" for i in range(1, 57)} | {"97", "98"} == set(ethnicity)
    assert ethnicity["01"] == "汉族" and ethnicity["56"] == "基诺族"
    assert by_slug["id_type"]["111"] == "居民身份证"
    assert by_slug["relation"]["02"] == "户主" and by_slug["relation"]["99"] == "非亲属"
    assert set("ABCDEFGHIJKLMNOPQRST") == set(by_slug["industry"])
    assert by_slug["nationality"]["CHN"] == "中国"
