"""The live rate count of a running server: a daemon thread started by ``ybss serve`` that counts
today's rates every ``YBSS_RATES_REFRESH_MINUTES`` (default 10; ``off`` turns it off), so the
dashboards are never older than that and each day's last count stays as its record. Deployments
with several server processes turn it off and run ``ybss supervision refresh`` from cron.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections

log = logging.getLogger(__name__)


def _loop(minutes: int) -> None:
    from .rates import rates_refresh

    while True:
        try:
            close_old_connections()
            rates_refresh(trigger="live")
        except Exception:
            log.exception("live rate count failed")
        finally:
            close_old_connections()
        time.sleep(minutes * 60)


def start_live_counts() -> int | None:
    """Start the counting thread unless switched off; the interval in minutes when started."""
    from .rates import refresh_minutes

    minutes = refresh_minutes()
    if minutes is None:
        return None
    threading.Thread(target=_loop, args=(minutes,), name="ybss-rates-live", daemon=True).start()
    return minutes
