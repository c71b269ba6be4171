"""Every web URL declares its scoping (``views.common.scoped`` / ``not_scoped``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from ybss.web import urls


def _patterns(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if getattr(p.urlconf_name, "__name__", p.urlconf_name) == "django.conf.urls.i18n":
                continue  # set_language: stores a language choice, reads no data
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_every_view_declares_its_scope():
    undeclared = [route for route, view in _patterns(urls.urlpatterns) if not getattr(view, "ybss_scope", "")]
    assert undeclared == []
