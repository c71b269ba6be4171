"""The caller's own API tokens: create (secret shown once), list, revoke.

Creating a token needs a signed-in session: a token cannot mint further tokens, so a leaked one
dies with its expiry or revocation. Tokens always expire (at most a year). Revoking keeps the row
(``revoked=True``) for the record; nothing is deleted.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from ybss.core.errors import NotFound
from ybss.org.models import ApiToken

from .auth import caller, session_auth
from .params import RecordId
from .schemas import TokenCreated, TokenIn, TokenOut
from .scoping import unscoped

router = Router(tags=["tokens"])

OWN_TOKENS = "the caller's own API tokens; no business records"


@router.post("", response={201: TokenCreated}, auth=[session_auth], summary="Create a token (session only)")
@unscoped(OWN_TOKENS)
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    expires_at = timezone.now() + timedelta(days=payload.expires_in_days)
    token, secret = ApiToken.issue(user=caller(request), name=payload.name, expires_at=expires_at)
    token.token = secret  # type: ignore[attr-defined]
    return Status(201, token)


@router.get("", response=list[TokenOut], summary="Your tokens (never their secrets)")
@unscoped(OWN_TOKENS)
def token_list(request: HttpRequest) -> Any:
    return ApiToken.objects.filter(user=caller(request)).order_by("-created_at", "-id")


@router.delete("/{pk}", response={204: None}, summary="Revoke one of your tokens")
@unscoped(OWN_TOKENS)
def token_revoke(request: HttpRequest, pk: RecordId) -> Any:
    # Someone else's token is "not found", like an out-of-scope record.
    updated = ApiToken.objects.filter(pk=pk, user=caller(request)).update(revoked=True)
    if not updated:
        raise NotFound()
    return Status(204, None)
