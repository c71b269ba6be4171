"""`ybss serve`: the web platform on localhost (waitress), printing the URL and demo logins.

Background jobs (web imports and exports) run in threads of this process; at start the jobs a
previous process left running are failed as interrupted (``jobs.runner.ensure_swept``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Start the ybss web platform (migrates first if needed)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **opts: Any) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", interactive=False, verbosity=0)
        from ybss.jobs.runner import ensure_swept

        ensure_swept()  # jobs a previous server left running died with it
        from ybss.quality.schedule import start_nightly_scan

        if start_nightly_scan():
            self.stdout.write(
                f"Nightly quality scan at {settings.YBSS_QUALITY_SCAN_HOUR}:00 (YBSS_QUALITY_SCAN_HOUR)."
            )
        from ybss.supervision.schedule import start_live_counts

        minutes = start_live_counts()
        if minutes:
            self.stdout.write(f"Rates counted every {minutes} minutes (YBSS_RATES_REFRESH_MINUTES).")
        from waitress import serve

        from ybss.wsgi import application

        url = f"http://{opts['host']}:{opts['port']}/"
        self.stdout.write(self.style.SUCCESS(f"ybss is running at {url}"))
        try:
            from ybss.demo import DEMO_PASSWORD, demo_logins

            logins = demo_logins()
        except Exception:  # no demo county loaded: nothing to print
            logins = []
        if logins:
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
            for role, username in logins:
                self.stdout.write(f"  {role:<12} {username}")
        self.stdout.write("Press Ctrl+C to stop.")
        serve(application, host=opts["host"], port=opts["port"], threads=opts["threads"], ident="ybss")
