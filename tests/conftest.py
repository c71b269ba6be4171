"""Shared fixtures: the two-station county (``county``) and clients signed in per role."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import County, make_county
from ybss.core import codes


@pytest.fixture(autouse=True)
def _fresh_code_cache():
    codes.clear_cache()
    yield
    codes.clear_cache()


def ensure_code_lists() -> None:
    """Transactional tests end with a flush that also empties the code lists the data migration
    loaded; reload them so later tests on the same worker see them."""
    from importlib import import_module

    from django.apps import apps as django_apps

    from ybss.core.models import Code

    if not Code.objects.exists():
        import_module("ybss.core.migrations.0002_load_codelists").load(django_apps, None)
        codes.clear_cache()


@pytest.fixture
def county(db) -> County:
    ensure_code_lists()
    return make_county()


@pytest.fixture
def client_for(county):
    """``client_for(user)`` → a Django test client signed in as ``user``."""

    def make(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return make
