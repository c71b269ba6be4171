"""Who is calling: a bearer token (``Authorization: Bearer ybss_...``) or the Django session.

The API tries the token first, then the session; a request with neither answers 401
``unauthenticated`` (``errors.Unauthenticated``). Either way ``request.auth`` is the ``User``.

* Token: looked up by ``ApiToken.hash_key`` (only the hash is stored). Revoked, expired, unknown
  tokens and tokens of inactive users are refused with 401 even when a session is present, so a
  client never silently acts as someone else. ``last_used_at`` is written at most once a minute.
* Session: the signed-in, active user. Unsafe methods (POST, PUT, PATCH, DELETE) must pass
  Django's CSRF check, as a form would; a failure is 403 ``csrf_failed``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from ybss.org.models import ApiToken, User

from .errors import CsrfFailed

TOKEN_PREFIX = "ybss_"
#: Secrets are "ybss_" + 43 url-safe characters; anything much longer is not ours.
TOKEN_MAX_LENGTH = 100
#: ``last_used_at`` is refreshed at most this often, so a busy client does not write every call.
TOUCH_INTERVAL = timedelta(minutes=1)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
        return
    # The condition in the UPDATE keeps concurrent requests from writing more than once a minute.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_INTERVAL)
    ).update(last_used_at=now)
    token.last_used_at = now


def user_for_token(key: str) -> tuple[User, ApiToken] | None:
    """The active user and the live token for a bearer secret, or None."""
    key = key.strip()
    if not key.startswith(TOKEN_PREFIX) or len(key) > TOKEN_MAX_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__police_unit", "user__division")
        .filter(key_hash=ApiToken.hash_key(key))
        .first()
    )
    if token is None or token.revoked or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return None
    return token.user, token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ybss_...``."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        found = user_for_token(token)
        if found is None:
            raise AuthenticationError()
        user, row = found
        _touch(row)
        return user


class SessionAuth(APIKeyCookie):
    """The Django session, with the CSRF check for unsafe methods.

    Unlike ninja's ``SessionAuth``, an anonymous request is not CSRF-checked first, so it gets
    401 rather than 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise CsrfFailed()
        return user  # type: ignore[return-value]


def caller(request: HttpRequest) -> User:
    """The authenticated user of an API request (set by whichever auth accepted it)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


token_auth = TokenAuth()
session_auth = SessionAuth()

#: Every operation's default: token first (it must not fall back to a session when it is bad).
default_auth = [token_auth, session_auth]
