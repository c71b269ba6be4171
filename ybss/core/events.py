"""After-commit notices that a business record changed, for apps that follow records.

``audit.records`` (the one place every versioned write and lifecycle move goes through) calls
``record_changed`` on commit; an app that must react — the quality ledger re-checks the record —
subscribes once in its ``AppConfig.ready`` with ``subscribe``. This is an explicit, documented
list rather than a Django signal so that a reader finds every listener here and in the apps'
``ready``; listeners must be quick and must not raise (a failure is logged, never shown to the
user whose save already succeeded).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

Listener = Callable[[str, int], None]

_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Call ``listener(record_type, record_id)`` after each committed change of a record."""
    if listener not in _listeners:
        _listeners.append(listener)


def record_changed(record_type: str, record_id: int) -> None:
    for listener in list(_listeners):
        try:
            listener(record_type, record_id)
        except Exception:  # a follower's failure must not turn a saved change into an error
            log.exception(
                "record listener %s failed for %s", getattr(listener, "__name__", listener), record_type
            )
