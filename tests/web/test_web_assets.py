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
