"""API test helpers on top of the shared two-station county (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ybss.org.models import ApiToken, User


class ApiClient:
    """A thin JSON client: ``get``/``post``/... return ``(status, body)``."""

    def __init__(self, client: Client, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = headers or {}

    def _call(self, method: str, path: str, data: Any = None, **params: Any) -> tuple[int, Any]:
        fn = getattr(self.client, method)
        if method in ("get", "delete"):
            response = fn(path, params or None, headers=self.headers)
        else:
            response = fn(path, data or {}, content_type="application/json", headers=self.headers)
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.content.decode()
        self.last = response
        return response.status_code, body

    def get(self, path: str, **params: Any) -> tuple[int, Any]:
        return self._call("get", path, **params)

    def post(self, path: str, data: Any = None) -> tuple[int, Any]:
        return self._call("post", path, data)

    def put(self, path: str, data: Any = None) -> tuple[int, Any]:
        return self._call("put", path, data)

    def patch(self, path: str, data: Any = None) -> tuple[int, Any]:
        return self._call("patch", path, data)

    def delete(self, path: str) -> tuple[int, Any]:
        return self._call("delete", path)


@pytest.fixture
def api_for(client_for) -> Callable[[User], ApiClient]:
    """``api_for(user)`` → an ApiClient signed in (session) as ``user``."""
    return lambda user: ApiClient(client_for(user))


@pytest.fixture
def anon_api() -> ApiClient:
    return ApiClient(Client())


@pytest.fixture
def token_for(county) -> Callable[..., str]:
    """``token_for(user, **fields)`` → the secret of a fresh token of ``user``."""

    def make(user: User, *, expires_in: timedelta | None = timedelta(days=30), **fields: Any) -> str:
        expires_at = timezone.now() + expires_in if expires_in is not None else None
        token, secret = ApiToken.issue(user=user, name="test", expires_at=expires_at)
        if fields:
            ApiToken.objects.filter(pk=token.pk).update(**fields)
        return secret

    return make


@pytest.fixture
def bearer_api() -> Callable[[str], ApiClient]:
    """``bearer_api(secret)`` → an ApiClient sending ``Authorization: Bearer <secret>``."""
    return lambda secret: ApiClient(Client(), {"Authorization": f"Bearer {secret}"})
