"""``ybss supervision refresh|backfill|rates``: count the rates, rebuild their history, print them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from ybss.org.models import Role, User
from ybss.supervision import rates
from ybss.supervision.definitions import RATES


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Supervision: count today's rates, rebuild past days, print the rates of a node."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        r = sub.add_parser("refresh", help="count the rates of a day (default today) now")
        r.add_argument("--day", type=_date)
        r.add_argument("--quiet", action="store_true")
        b = sub.add_parser("backfill", help="reconstruct the rates of past days from the records' timestamps")
        b.add_argument("--start", type=_date, required=True)
        b.add_argument("--end", type=_date)
        b.add_argument("--quiet", action="store_true")
        p = sub.add_parser("rates", help="print the rates of a node (default: the county)")
        p.add_argument("--tree", choices=rates.TREES, default=rates.POLICE)
        p.add_argument("--code", default="")
        p.add_argument("--day", type=_date)
        p.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"_{opts['action']}")(opts)

    def _bar(self, opts: dict[str, Any], desc: str) -> Any:
        return tqdm(total=len(RATES), desc=desc, unit="rate", disable=opts.get("quiet", False))

    def _refresh(self, opts: dict[str, Any]) -> None:
        with self._bar(opts, "计数 count") as bar:
            n = rates.rates_refresh(day=opts["day"], trigger="command", progress=lambda _c: bar.update())
        if not opts["quiet"]:
            self.stdout.write(f"{n} facts for {opts['day'] or timezone.localdate()}")

    def _backfill(self, opts: dict[str, Any]) -> None:
        end = opts["end"] or timezone.localdate() - dt.timedelta(days=1)
        with self._bar(opts, "回溯 backfill") as bar:
            n = rates.rates_backfill(start=opts["start"], end=end, progress=lambda _c: bar.update())
        if not opts["quiet"]:
            self.stdout.write(f"{n} facts for {opts['start']} … {end}")

    def _rates(self, opts: dict[str, Any]) -> None:
        # The command runs as the county: the first active supervisor (or admin) of the database.
        actor = (
            User.objects.filter(
                role__in=(Role.SUPERVISOR, Role.ADMIN), is_active=True, police_unit__isnull=False
            )
            .select_related("police_unit", "division")
            .order_by("role", "pk")
            .first()
        )
        if actor is None:
            raise CommandError("no county supervisor or admin user exists")
        node = (
            rates.node_get(actor=actor, tree=opts["tree"], code=opts["code"])
            if opts["code"]
            else rates.node_root(actor=actor, tree=opts["tree"])
        )
        values = rates.rates_at(actor=actor, node=node, day=opts["day"])
        if opts["json"]:
            out = {
                c: {"numerator": r.numerator, "denominator": r.denominator, "value": r.value}
                for c, r in values.items()
            }
            self.stdout.write(
                json.dumps({"node": node.code, "day": str(opts["day"] or timezone.localdate()), "rates": out})
            )
            return
        self.stdout.write(f"{node.name} ({node.code})")
        for r in values.values():
            self.stdout.write(f"  {r.label}: {r.percent}  ({r.numerator} / {r.denominator})")
