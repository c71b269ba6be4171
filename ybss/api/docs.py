"""The API docs page (Swagger UI) from local static files only: police networks have no internet.

ninja's own ``Swagger`` falls back to a CDN template when ``"ninja"`` is not in INSTALLED_APPS; this
one never does. It renders ``api/swagger.html``, which loads django-ninja's bundled Swagger UI
from ``/static/ninja/`` and turns off the online validator badge (``validatorUrl: null``). When the
files cannot be served (``ninja`` not installed as an app, so no static finder knows them), the
page answers 404 instead of a broken or outward-calling page.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

#: The static files the page needs (django-ninja ships them in ``ninja/static/ninja/``).
ASSETS = (
    "ninja/swagger-ui.css",
    "ninja/swagger-ui-bundle.js",
    "ninja/swagger-ui-init.js",
    "ninja/favicon.png",
)


def assets_available() -> bool:
    return all(finders.find(path) for path in ASSETS)


class LocalSwagger(DocsBase):
    settings: dict[str, Any] = {"layout": "BaseLayout", "deepLinking": True, "validatorUrl": None}

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        if not assets_available():
            raise Http404("Swagger UI static files are not installed")
        config = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"api": api, "swagger_settings": json.dumps(config), "add_csrf": True}
        return render(request, "api/swagger.html", context)
