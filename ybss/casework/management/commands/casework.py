"""``ybss casework lists|run|expire``: the watch lists, a comparison with a progress bar, expiry.

``run`` compares one approved list with the population as ``--user`` (whose scope and role the
service checks, and whose name the audit records with the list's purpose), exactly like the page's
background job.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ybss.casework import services
from ybss.casework.models import WatchList
from ybss.core.errors import AppError
from ybss.org.models import User


class Command(BaseCommand):
    help = "Casework: list the watch lists, compare one with the population, expire old lists."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("lists", help="print the watch lists with their state and expiry")
        r = sub.add_parser("run", help="compare an approved list with the population now")
        r.add_argument("pk", type=int, help="the list's number (see `lists`)")
        r.add_argument("--user", required=True, help="act as this user (role, scope, audit)")
        r.add_argument("--quiet", action="store_true")
        sub.add_parser("expire", help="mark the lists past their expiry date as expired")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"_{opts['action']}")(opts)

    def _lists(self, opts: dict[str, Any]) -> None:
        for wl in WatchList.objects.order_by("id"):
            self.stdout.write(
                f"{wl.pk}\t{wl.state}\t{wl.kind}\t{wl.expires_on}\t{wl.entries.count()}\t{wl.name}"
            )

    def _run(self, opts: dict[str, Any]) -> None:
        user = User.objects.select_related("police_unit", "division").filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"没有该用户 / no such user: {opts['user']}")
        with tqdm(desc="比对 compare", unit="person", disable=opts["quiet"]) as bar:

            def progress(done: int, total: int | None) -> None:
                if total is not None and bar.total != total:
                    bar.total = total
                bar.update(done - bar.n)

            try:
                run = services.watchlist_run(actor=user, pk=opts["pk"], progress=progress)
            except AppError as exc:
                fields = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in exc.fields.items())
                raise CommandError(f"{exc.code}: {exc.message} {fields}".strip()) from exc
        if not opts["quiet"]:
            self.stdout.write(f"{run.compared} compared, {run.hits} hits, {run.new_leads} new leads")

    def _expire(self, opts: dict[str, Any]) -> None:
        self.stdout.write(f"{services.expire_lists()} lists expired")
