"""Logging support: keep ID numbers and mobile numbers out of every log line (DOMAIN.md §10).

Attach :class:`RedactPersonalData` to handlers (settings ``LOGGING["filters"]``), not only to
loggers: a logger's filters do not see records that propagate from its children.
"""

from __future__ import annotations

import logging
from typing import Any

from ybss.core.identifiers import redact_text


def _redact(value: Any) -> Any:
    return redact_text(value) if isinstance(value, str) else value


class RedactPersonalData(logging.Filter):
    """Mask ID and mobile numbers in a record's message, arguments, traceback and stack text.

    The record's message is formatted (``msg % args``) and redacted; only when that changed
    something are ``msg`` and ``args`` replaced by the redacted text, so an identifier passed as a
    non-string argument (an int, a model instance) is caught too and clean records keep their
    template. If formatting fails, ``msg`` and the string arguments are redacted one by one and
    the handler reports the formatting error as usual. Never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            record.msg = _redact(record.msg)
            if isinstance(record.args, tuple):
                record.args = tuple(_redact(arg) for arg in record.args)
            elif isinstance(record.args, dict):
                record.args = {key: _redact(arg) for key, arg in record.args.items()}
        else:
            redacted = redact_text(message)
            if redacted != message:
                record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse a cached exc_text, so the redacted traceback is what gets written.
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True
