"""Vendored front-end assets: copied from node_modules, committed, never from a CDN."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ybss.web.assets import REPO_ROOT, VENDOR_DIR, VENDOR_FILES, collect_vendor_assets


def test_vendored_files_are_present():
    for _src, dst in VENDOR_FILES:
        assert (VENDOR_DIR / dst).is_file(), dst


def test_npm_versions_are_pinned():
    package = json.loads((REPO_ROOT / "package.json").read_text())
    for name, version in package["dependencies"].items():
        assert version[0].isdigit(), f"{name} {version} is not an exact version"
    assert (REPO_ROOT / "package-lock.json").is_file()


def test_collect_copies_from_node_modules(tmp_path: Path):
    modules = tmp_path / "node_modules"
    for src, _dst in VENDOR_FILES:
        (modules / src).parent.mkdir(parents=True, exist_ok=True)
        (modules / src).write_text(f"/* {src} */")
    written = collect_vendor_assets(modules, tmp_path / "vendor")
    assert [p.read_text() for p in written] == [f"/* {src} */" for src, _dst in VENDOR_FILES]


def test_collect_without_npm_says_so(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="npm ci"):
        collect_vendor_assets(tmp_path / "node_modules", tmp_path / "vendor")


def test_stylesheets_load_nothing_from_outside():
    for css in list((VENDOR_DIR.parent / "web").glob("*.css")) + list(VENDOR_DIR.rglob("*.css")):
        text = re.sub(r"/\*.*?\*/", "", css.read_text(), flags=re.S)  # licence comments may cite URLs
        assert "//" not in text and "@import" not in text, css


#: Absolute URLs that may appear in shipped scripts because they are never requested: XML
#: namespace names, identifiers passed to ``document.createElementNS`` / ``setAttributeNS`` (SVG
#: by Leaflet; SVG, XLink, XMLNS and XML by ECharts' SVG renderer), which must stay verbatim.
#: The browser tests also block and record every request that leaves the live server.
SVG_NS = "http://www.w3.org/2000/svg"
NON_FETCHING_URLS = {
    SVG_NS,
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/2000/xmlns/",
    "http://www.w3.org/XML/1998/namespace",
}


def _shipped_scripts() -> list[Path]:
    ybss = REPO_ROOT / "ybss"
    return sorted(p for p in ybss.rglob("static/**/*.js") if p.is_file())


def test_scripts_load_nothing_from_outside():
    scripts = _shipped_scripts()
    assert {"leaflet.js", "echarts.min.js"} <= {p.name for p in scripts}
    for js in scripts:
        text = js.read_text(encoding="utf-8", errors="replace")
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # licence banners cite their home pages
        found = set(re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s\"'`)]*", text))
        found = {u for u in found if not u.startswith("//#")}
        assert found <= NON_FETCHING_URLS, (js, found - NON_FETCHING_URLS)
        if js.name == "leaflet.js":  # the pattern does see URLs: Leaflet names the SVG namespace
            assert found == {SVG_NS}
        if js.name == "echarts.min.js":  # and ECharts the four namespaces
            assert found == NON_FETCHING_URLS


def test_the_map_switches_off_leaflets_attribution_link():
    map_js = (REPO_ROOT / "ybss" / "web" / "static" / "web" / "map.js").read_text()
    assert "attributionControl.setPrefix(false)" in map_js
