"""The schema, the docs page (local assets only) and the scoped/unscoped declaration of every route."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import override_settings

from ybss.api.main import iter_operations

pytestmark = pytest.mark.django_db

WITH_NINJA = [a for a in settings.INSTALLED_APPS if a != "ninja"] + ["ninja"]
WITHOUT_NINJA = [a for a in settings.INSTALLED_APPS if a != "ninja"]


def _router_operations():
    """The operations that belong in the schema (not ninja's own routes or the 404 fallback)."""
    return {
        (op.method, op.path)
        for op in iter_operations()
        if op.path not in ("/api/openapi.json", "/api/docs", "/api/") and "{path:rest}" not in op.path
    }


def test_openapi_json_is_served_and_lists_every_route(anon_api):
    status, schema = anon_api.get("/api/openapi.json")
    assert status == 200
    assert schema["info"]["title"] == "ybss API"
    listed = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    assert listed == _router_operations()
    assert {"/api/persons", "/api/persons/{pk}", "/api/me", "/api/tokens"} <= set(schema["paths"])


def test_every_operation_is_scoped_or_says_why():
    ops = list(iter_operations())
    assert len(ops) > 10
    undeclared = [(op.method, op.path) for op in ops if not op.scoped and not op.reason.strip()]
    assert undeclared == []


def test_business_routes_are_scoped_and_only_own_data_routes_are_not():
    unscoped = {op.path for op in iter_operations() if not op.scoped}
    for prefix in ("/api/addresses", "/api/houses", "/api/persons", "/api/units"):
        assert not any(p.startswith(prefix) for p in unscoped), prefix


@override_settings(INSTALLED_APPS=WITH_NINJA)
def test_docs_page_references_only_local_static_files(anon_api):
    status, html = anon_api.get("/api/docs")
    assert status == 200
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert refs, "the page loads Swagger UI"
    for ref in refs:
        assert ref.startswith(settings.STATIC_URL), ref
        assert finders.find(ref.removeprefix(settings.STATIC_URL)), ref
    assert not re.search(r"https?://|//cdn|unpkg|jsdelivr", html.split("swagger-settings")[0])
    config = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1))
    assert config["url"] == "/api/openapi.json"
    assert config["validatorUrl"] is None  # no call to validator.swagger.io
    assert not any(isinstance(v, str) and "://" in v for v in config.values())


@override_settings(INSTALLED_APPS=WITHOUT_NINJA)
def test_docs_page_is_404_rather_than_a_cdn_page_without_local_assets(anon_api):
    status, html = anon_api.get("/api/docs")
    assert status == 404
    assert "cdn" not in str(html).lower()


@pytest.mark.parametrize("path", ["/api/nothing/here", "/api/", "/api/persons/", "/api/persons/1/x"])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_path_answers_the_common_not_found_body(anon_api, method, path):
    status, body = getattr(anon_api, method)(path)
    assert status == 404
    assert body == {"code": "not_found", "message": body["message"], "fields": {}}


def test_iter_operations_is_importable_from_the_package():
    from ybss.api import iter_operations as from_package

    assert from_package is iter_operations
