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


@pytest.fixture
def county(db) -> County:
    return make_county()


@pytest.fixture
def client_for(county):
    """``client_for(user)`` → a Django test client signed in as ``user``."""

    def make(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return make
