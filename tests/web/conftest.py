"""Web-page fixtures on top of the shared county (tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def officer_a(county, client_for) -> Client:
    return client_for(county.a.users["officer"])
