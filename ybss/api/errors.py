"""One error body for every API failure: ``{"code": str, "message": str, "fields": {name: [msg]}}``.

:func:`install` registers the handlers on the API:

* ``AppError`` (and its subclasses) → ``err.status`` with ``err.as_dict()``;
* ninja's ``ValidationError`` (bad query, path or body) → 400 ``invalid``, each pydantic error
  turned into a short translated message under its field name (never pydantic's English text);
* ``AuthenticationError`` → 401 ``unauthenticated``; other ninja ``HttpError`` → their status;
* ``Http404`` → 404 ``not_found``;
* anything else → logged (the log handlers redact ID and phone numbers; the query string, which
  may hold search terms, is not logged) and answered 500 ``server_error``. There should be none:
  bad input must never reach this handler.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ybss.core.errors import AppError, Forbidden, InvalidInput, NotFound

logger = logging.getLogger("ybss.api")

#: Key of errors that belong to the request as a whole rather than to one field.
NON_FIELD = "__all__"


class Unauthenticated(AppError):
    code = "unauthenticated"
    status = 401
    default_message = _("Please sign in, or send a valid API token.")


class ServerError(AppError):
    code = "server_error"
    status = 500
    default_message = _("Something went wrong on our side. It has been logged.")


class CsrfFailed(Forbidden):
    code = "csrf_failed"
    default_message = _("The security check of this form failed. Reload the page and try again.")


#: Codes and messages for ninja's own HttpErrors, by status (their texts are English-only).
_HTTP_ERRORS: dict[int, tuple[str, Any]] = {
    400: ("invalid", _("The request could not be read.")),
    403: ("forbidden", Forbidden.default_message),
    404: ("not_found", NotFound.default_message),
    405: ("method_not_allowed", _("This method is not allowed here.")),
    409: ("conflict", _("The request conflicts with the current state of the record.")),
    429: ("throttled", _("Too many requests. Please wait and try again.")),
}

_FORMAT_ERRORS = frozenset(
    {
        "bool_parsing",
        "bool_type",
        "date_from_datetime_inexact",
        "date_from_datetime_parsing",
        "date_parsing",
        "date_type",
        "datetime_from_date_parsing",
        "datetime_parsing",
        "datetime_type",
        "decimal_parsing",
        "decimal_type",
        "decimal_max_digits",
        "decimal_max_places",
        "decimal_whole_digits",
        "dict_type",
        "float_parsing",
        "float_type",
        "int_from_float",
        "int_parsing",
        "int_parsing_size",
        "int_type",
        "json_invalid",
        "json_type",
        "list_type",
        "model_attributes_type",
        "model_type",
        "string_pattern_mismatch",
        "string_type",
        "string_unicode",
        "time_parsing",
        "time_type",
        "uuid_parsing",
        "uuid_type",
    }
)


def _limit(ctx: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in ctx:
            return ctx[key]
    return ""


def error_message(error: Mapping[str, Any]) -> str:
    """A short message in the active language for one pydantic error (by its ``type``)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("missing", "missing_argument"):
        return gettext("Required")
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return gettext("Required")
    if kind in _FORMAT_ERRORS:
        return gettext("Invalid format")
    if kind in ("greater_than_equal", "greater_than"):
        return gettext("Must not be less than %(limit)s") % {"limit": _limit(ctx, "ge", "gt")}
    if kind in ("less_than_equal", "less_than"):
        return gettext("Must not be more than %(limit)s") % {"limit": _limit(ctx, "le", "lt")}
    if kind == "string_too_short":
        return gettext("At least %(limit)s characters") % {"limit": ctx.get("min_length", "")}
    if kind == "string_too_long":
        return gettext("At most %(limit)s characters") % {"limit": ctx.get("max_length", "")}
    if kind == "too_long":
        return gettext("At most %(limit)s items") % {"limit": ctx.get("max_length", "")}
    if kind == "too_short":
        return gettext("At least %(limit)s items") % {"limit": ctx.get("min_length", "")}
    if kind in ("enum", "literal_error"):
        return gettext("Not an allowed value")
    if kind == "code_invalid":
        return gettext("Not a valid code")
    if kind == "extra_forbidden":
        return gettext("Unknown field")
    return gettext("Invalid value")


def _field_name(loc: Iterable[Any]) -> str:
    """``("query", "limit")`` → ``limit``; ``("body", "payload", "rooms", 0)`` → ``rooms.0``."""
    parts = list(loc)
    if parts and parts[0] in ("query", "path", "header", "cookie", "form", "file"):
        parts = parts[1:]
    elif parts and parts[0] == "body":
        parts = parts[2:]  # ninja nests the body under the parameter's name
    return ".".join(str(p) for p in parts) or NON_FIELD


def field_errors(errors: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Translated messages per field for ninja's validation errors (each field's messages once)."""
    out: dict[str, list[str]] = {}
    for error in errors:
        messages = out.setdefault(_field_name(error.get("loc", ())), [])
        message = error_message(error)
        if message not in messages:
            messages.append(message)
    return out


def install(api: NinjaAPI) -> None:
    """Register the handlers that give every failure the common body."""

    # Handlers take ``exc: Any``: ninja types the argument as "the exception or its class".

    def respond(request: HttpRequest, err: AppError) -> HttpResponse:
        response = api.create_response(request, err.as_dict(), status=err.status)
        if err.status == 401:
            response["WWW-Authenticate"] = "Bearer"
        return response

    def on_app_error(request: HttpRequest, exc: Any) -> HttpResponse:  # AppError
        return respond(request, exc)

    def on_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:  # ValidationError
        return respond(request, InvalidInput(fields=field_errors(exc.errors)))

    def on_authentication_error(request: HttpRequest, exc: Any) -> HttpResponse:  # AuthenticationError
        return respond(request, Unauthenticated())

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:  # HttpError
        code, message = _HTTP_ERRORS.get(exc.status_code, ("error", AppError.default_message))
        err = AppError(message, code=code)
        err.status = exc.status_code
        return respond(request, err)

    def on_404(request: HttpRequest, exc: Any) -> HttpResponse:  # Http404
        return respond(request, NotFound())

    def on_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:  # Exception
        # The path only: the query string may carry search terms (names, ID numbers).
        logger.error("API server error: %s %s", request.method, request.path, exc_info=exc)
        return respond(request, ServerError())

    api.add_exception_handler(AppError, on_app_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(Exception, on_unexpected)
