"""Session and bearer-token authentication, and the caller's own tokens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ybss.org.models import ApiToken

pytestmark = pytest.mark.django_db


def _protected():
    """Every schema route, with its path parameters filled in."""
    from ybss.api.main import iter_operations

    for op in iter_operations():
        if op.path in ("/api/openapi.json", "/api/docs", "/api/") or "{path:rest}" in op.path:
            continue
        yield op.method, re.sub(r"\{\w+\}", "1", op.path)


@pytest.mark.parametrize("method, path", list(_protected()))
def test_unauthenticated_request_gets_401_with_the_error_body(county, anon_api, method, path):
    status, body = getattr(anon_api, method.lower())(path)
    assert status == 401
    assert body["code"] == "unauthenticated" and body["fields"] == {} and body["message"]
    assert anon_api.last["WWW-Authenticate"] == "Bearer"


def test_session_auth_works(county, api_for):
    status, body = api_for(county.a.users["officer"]).get("/api/me")
    assert status == 200 and body["username"] == "officer_a"


def test_bearer_token_auth_works(county, token_for, bearer_api):
    secret = token_for(county.a.users["officer"])
    status, body = bearer_api(secret).get("/api/me")
    assert status == 200 and body["username"] == "officer_a"


@pytest.mark.parametrize(
    "fields",
    [
        {"revoked": True},
        {"expires_at": timezone.now() - timedelta(seconds=1)},
    ],
    ids=["revoked", "expired"],
)
def test_revoked_or_expired_token_gets_401(county, token_for, bearer_api, fields):
    secret = token_for(county.a.users["officer"], **fields)
    status, body = bearer_api(secret).get("/api/persons")
    assert status == 401 and body["code"] == "unauthenticated"


@pytest.mark.parametrize("secret", ["ybss_not-a-real-token", "garbage", "ybss_" + "x" * 500, ""])
def test_unknown_token_gets_401(county, bearer_api, secret):
    status, body = bearer_api(secret).get("/api/me")
    assert status == 401 and body["code"] == "unauthenticated"


def test_token_of_inactive_user_gets_401(county, token_for, bearer_api):
    user = county.a.users["officer"]
    secret = token_for(user)
    user.is_active = False
    user.save()
    assert bearer_api(secret).get("/api/me")[0] == 401


def test_bad_token_is_refused_even_with_a_valid_session(county, client_for):
    from tests.api.conftest import ApiClient

    api = ApiClient(client_for(county.a.users["officer"]), {"Authorization": "Bearer ybss_wrong"})
    assert api.get("/api/me")[0] == 401


def test_last_used_at_is_written_at_most_once_a_minute(county, token_for, bearer_api):
    secret = token_for(county.a.users["officer"])
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(secret))
    assert token.last_used_at is None
    api = bearer_api(secret)
    api.get("/api/me")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get("/api/me")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api.get("/api/me")
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)


def test_token_create_returns_the_secret_once_and_stores_only_its_hash(county, api_for, bearer_api):
    api = api_for(county.a.users["officer"])
    status, body = api.post("/api/tokens", {"name": "手机", "expires_in_days": 7})
    assert status == 201
    secret = body["token"]
    assert secret.startswith("ybss_")
    row = ApiToken.objects.get(pk=body["id"])
    assert row.key_hash == ApiToken.hash_key(secret) and secret not in row.key_hash
    assert timedelta(days=6) < row.expires_at - timezone.now() <= timedelta(days=7)
    status, listed = api.get("/api/tokens")
    assert [t["id"] for t in listed] == [row.pk]
    assert "token" not in listed[0]
    assert bearer_api(secret).get("/api/me")[1]["username"] == "officer_a"


def test_token_cannot_create_tokens(county, token_for, bearer_api):
    status, body = bearer_api(token_for(county.a.users["officer"])).post("/api/tokens", {"name": "x"})
    assert status == 401 and body["code"] == "unauthenticated"


def test_session_writes_need_the_csrf_token(county):
    client = Client(enforce_csrf_checks=True)
    client.force_login(county.a.users["officer"])
    response = client.post("/api/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    client.get("/api/me")  # any page sets the cookie in real use; here we ask for one
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    response = client.post(
        "/api/tokens",
        {"name": "x"},
        content_type="application/json",
        headers={"X-CSRFToken": _mask_cipher_secret(secret)},
    )
    assert response.status_code == 201


def test_token_list_shows_only_own_tokens(county, api_for, token_for):
    token_for(county.b.users["officer"])
    mine = ApiToken.issue(user=county.a.users["officer"], name="mine")[0]
    status, listed = api_for(county.a.users["officer"]).get("/api/tokens")
    assert status == 200 and [t["id"] for t in listed] == [mine.pk]


def test_revoking_sets_revoked_and_keeps_the_row(county, api_for, token_for, bearer_api):
    user = county.a.users["officer"]
    secret = token_for(user)
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(secret))
    status, body = api_for(user).delete(f"/api/tokens/{token.pk}")
    assert status == 204 and body is None
    token.refresh_from_db()
    assert token.revoked is True
    assert bearer_api(secret).get("/api/me")[0] == 401


def test_revoking_someone_elses_token_is_not_found(county, api_for, token_for):
    other = ApiToken.objects.get(key_hash=ApiToken.hash_key(token_for(county.b.users["officer"])))
    status, body = api_for(county.a.users["officer"]).delete(f"/api/tokens/{other.pk}")
    assert status == 404 and body["code"] == "not_found"
    other.refresh_from_db()
    assert other.revoked is False


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 61}, "name"),
        ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "x", "expires_in_days": 366}, "expires_in_days"),
    ],
)
def test_token_create_validates_its_input(county, api_for, payload, field):
    status, body = api_for(county.a.users["officer"]).post("/api/tokens", payload)
    assert status == 400 and body["code"] == "invalid" and list(body["fields"]) == [field]
