"""The nightly quality scan of a running server: a daemon thread started by ``ybss serve`` that
sleeps until the next ``YBSS_QUALITY_SCAN_HOUR`` (local time, default 2 o'clock; ``off`` turns it
off) and runs ``scan.scan_and_record``. Deployments that run several server processes turn it off
and schedule ``ybss quality scan --quiet`` with cron or a systemd timer instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

log = logging.getLogger(__name__)


def next_run(now: dt.datetime, hour: int) -> dt.datetime:
    """The next local ``hour``:00 strictly after ``now`` (an aware datetime)."""
    local = timezone.localtime(now)
    run = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if run <= local:
        run += dt.timedelta(days=1)
    return run


def scan_hour() -> int | None:
    value = str(getattr(settings, "YBSS_QUALITY_SCAN_HOUR", "2")).strip().lower()
    if value in ("", "off", "none", "no"):
        return None
    hour = int(value)
    if not 0 <= hour <= 23:
        raise ValueError("YBSS_QUALITY_SCAN_HOUR must be 0-23 or off")
    return hour


def _loop(hour: int) -> None:
    from .scan import scan_and_record

    while True:
        wait = (next_run(timezone.now(), hour) - timezone.now()).total_seconds()
        time.sleep(max(wait, 1))
        try:
            close_old_connections()
            scan, _findings = scan_and_record()
            log.info(
                "nightly quality scan %s: %s findings, %s opened, %s fixed",
                scan.pk,
                scan.findings,
                scan.opened,
                scan.fixed,
            )
        except Exception:
            log.exception("nightly quality scan failed")
        finally:
            close_old_connections()


def start_nightly_scan() -> bool:
    """Start the nightly scan thread unless it is switched off; True when started."""
    hour = scan_hour()
    if hour is None:
        return False
    threading.Thread(target=_loop, args=(hour,), name="ybss-quality-nightly", daemon=True).start()
    return True
