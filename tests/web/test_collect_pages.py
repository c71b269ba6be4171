"""The phone app's pages: the shell (/m/), its service worker and its manifest, and the text the
scripts show (every word through Django's translations)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from ybss.web import urls_collect
from ybss.web.views import collect

SCRIPTS = sorted(collect.STATIC_DIR.glob("*.js"))


def _config(resp) -> dict:
    body = resp.content.decode()
    match = re.search(r'<script id="collect-config" type="application/json">(.*?)</script>', body, re.S)
    assert match, "no collect-config block"
    return json.loads(match.group(1))


def _texts(resp) -> dict:
    body = resp.content.decode()
    match = re.search(r'<script id="collect-text" type="application/json">(.*?)</script>', body, re.S)
    assert match, "no collect-text block"
    return json.loads(match.group(1))


def test_every_collect_view_declares_its_scope():
    assert all(getattr(p.callback, "ybss_scope", "") for p in urls_collect.urlpatterns)


@pytest.mark.django_db
def test_shell_needs_sign_in(client):
    resp = client.get("/m/")
    assert resp.status_code == 302 and resp["Location"].startswith("/login/?next=/m/")


@pytest.mark.django_db
def test_shell_refuses_a_user_without_business_access(county, client_for):
    assert client_for(county.users["auditor"]).get("/m/").status_code == 403


@pytest.mark.django_db
def test_shell_gives_the_app_its_user_api_and_chinese_text(county, client_for):
    user = county.a.users["collector"]
    resp = client_for(user).get("/m/")
    assert resp.status_code == 200
    assert "no-cache" in resp["Cache-Control"]
    config = _config(resp)
    assert config["userId"] == user.pk
    assert config["sw"] == "/m/sw.js" and config["scope"] == "/m/"
    assert config["api"]["sync"] == "/api/collection/sync"
    assert config["appVersion"] == collect.app_version()[:12]
    texts = _texts(resp)
    assert "校验位" in texts["err.id.checksum"]
    assert set(texts) >= {str(m) for m in collect.TEXTS}
    body = resp.content.decode()
    assert 'rel="manifest" href="/m/manifest.webmanifest"' in body
    assert 'type="module"' in body


@pytest.mark.django_db
def test_service_worker_is_served_for_its_scope_with_a_versioned_cache():
    resp = Client().get("/m/sw.js")  # no sign-in: browsers update workers on their own
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("text/javascript")
    assert resp["Service-Worker-Allowed"] == "/m/"
    assert "no-cache" in resp["Cache-Control"]
    body = resp.content.decode()
    assert f'const VERSION = "{collect.app_version()}";' in body
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", body).group(1))
    names = {Path(u).name for u in precache}
    assert {"app.js", "db.js", "sync.js", "forms.js", "validate.js", "collect.css", "icon-192.png"} <= names
    assert "/m/manifest.webmanifest" in precache
    for url in precache:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url


def test_the_version_changes_with_any_file_of_the_app(tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "app.js").write_text("one")
    monkeypatch.setattr(collect, "STATIC_DIR", static)
    before = collect._compute_version()
    assert collect._compute_version() == before
    (static / "app.js").write_text("two")
    assert collect._compute_version() != before


@pytest.mark.django_db
def test_manifest_makes_the_app_installable():
    from PIL import Image

    resp = Client().get("/m/manifest.webmanifest")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/manifest+json")
    data = json.loads(resp.content)
    assert data["start_url"] == "/m/" and data["scope"] == "/m/" and data["display"] == "standalone"
    assert data["name"] and data["short_name"]
    sizes = set()
    for icon in data["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as img:
            assert f"{img.width}x{img.height}" == icon["sizes"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def _literal_calls(pattern: str) -> set[str]:
    found: set[str] = set()
    for js in SCRIPTS:
        found |= set(re.findall(pattern, js.read_text(encoding="utf-8")))
    return found


def test_every_word_the_scripts_show_is_translatable():
    used = _literal_calls(r'\bt\("((?:[^"\\]|\\.)*)"\s*[,)]')
    known = {str(m) for m in collect.TEXTS} | {f"err.{c}" for c in collect.ERRORS}
    assert used - known == set()


def test_every_error_code_of_validate_js_has_a_message():
    source = (collect.STATIC_DIR / "validate.js").read_text(encoding="utf-8")
    added = set(re.findall(r'\.add\([^,]+,\s*"([a-z_.]+)"', source))
    errors = set(re.findall(r'finding\("([a-z_.0-9]+)"\)', source))
    errors |= set(re.findall(r'finding\("([a-z_.0-9]+)", "error"', source))
    assert added and errors
    assert (added | errors) - set(collect.ERRORS) == set()
