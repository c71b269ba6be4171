"""One application error with a stable code, a message and optional field errors.

Views render these as a 4xx page or a re-rendered form; the API renders them as
``{"code", "message", "fields"}``. Tests assert ``code``, never the translated text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class AppError(Exception):
    """Base of every expected failure. ``fields`` maps a field name to a list of messages."""

    code = "error"
    status = 400
    default_message: Any = _("The request could not be completed.")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        fields: dict[str, list[Any]] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: [str(m) for m in v] for k, v in self.fields.items()},
        }


class InvalidInput(AppError):
    code = "invalid"
    status = 400
    default_message = _("Please correct the errors below.")


class NotFound(AppError):
    """Missing and out-of-scope look the same."""

    code = "not_found"
    status = 404
    default_message = _("The record does not exist or is outside your jurisdiction.")


class Forbidden(AppError):
    code = "forbidden"
    status = 403
    default_message = _("Your role does not allow this action.")


class Conflict(AppError):
    code = "conflict"
    status = 409
    default_message = _("Someone else changed this record after you opened it. Reload and try again.")


class FieldErrors:
    """Collects field-level messages during validation; ``raise_if_any`` raises InvalidInput."""

    def __init__(self) -> None:
        self.fields: dict[str, list[Any]] = {}

    def add(self, field: str, message: Any) -> None:
        self.fields.setdefault(field, []).append(message)

    def extend(self, findings: Any, *, field: str | None = None) -> None:
        """Add the error-severity findings (``ybss.core.findings.Finding``) under their field."""
        for f in findings:
            if getattr(f, "severity", "error") == "error":
                self.add(field or f.field or "__all__", f.message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self, code: str = "invalid") -> None:
        if self.fields:
            raise InvalidInput(code=code, fields=self.fields)
