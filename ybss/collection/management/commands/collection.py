"""`ybss collection plan --date YYYY-MM-DD [--collector USERNAME] [--json] [--naive] [--quiet]`

* ``plan``: each collector's staggered-time day plan (错时采集) for ``--date``, from their open
  tasks: households planned, share in the household's window, route km, walking and idle minutes
  (``collection.planning.plan_all``; the naive baseline with ``--naive``). With ``--collector``
  only that user, with every stop listed; ``--json`` prints the plans with their stops. A progress
  bar goes to stderr when many collectors are planned (not with ``--quiet``).

Subcommands are methods named in ``Command.ACTIONS``: add a parser in ``add_arguments`` and a
``_<name>`` method to add one.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ybss.addresses.models import StandardAddress
from ybss.org.models import User

#: Planning more collectors than this shows a progress bar (on stderr).
PROGRESS_FROM = 5


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD / the date must be YYYY-MM-DD: {value}") from exc


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class Command(BaseCommand):
    help = "Field collection: staggered-time day plans. / 外业采集：错时采集日计划。"

    #: subcommand → method
    ACTIONS = {"plan": "_plan"}

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{" + ",".join(self.ACTIONS) + "}")
        p = sub.add_parser("plan", help="each collector's staggered-time plan for a day / 错时采集日计划")
        p.add_argument("--date", required=True, help="the day to plan, YYYY-MM-DD")
        p.add_argument("--collector", default="", help="only this user (username), with the stops")
        p.add_argument("--json", action="store_true", help="print the plans as JSON, with their stops")
        p.add_argument("--naive", action="store_true", help="the naive plan (address order, daytime only)")
        p.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, self.ACTIONS[opts["action"]])(opts)

    # --- plan ------------------------------------------------------------------------------------

    def _plan(self, opts: dict[str, Any]) -> None:
        from ybss.collection import planning

        day = _date(opts["date"])
        collectors = None
        if opts["collector"]:
            user = User.objects.filter(username=opts["collector"]).first()
            if user is None:
                raise CommandError(f"用户不存在 / no such user: {opts['collector']}")
            collectors = [user]
        started = time.perf_counter()

        def progress(inputs: list[Any]) -> Any:
            quiet = opts["quiet"] or len(inputs) < PROGRESS_FROM
            return tqdm(inputs, desc="计划 plan", unit="人", file=sys.stderr, disable=quiet)

        plans = planning.plan_all(day, collectors, naive=opts["naive"], progress=progress)
        seconds = time.perf_counter() - started
        users = {u.pk: u for u in User.objects.filter(pk__in=list(plans))}
        show_stops = opts["json"] or collectors is not None
        keys: list[Any] = [s.key for p in plans.values() for s in p.stops] if show_stops else []
        labels: dict[Any, str] = {}
        if keys:
            labels = dict(StandardAddress.objects.filter(pk__in=keys).values_list("pk", "full_name"))
        if opts["json"]:
            data = [self._plan_json(users[uid], plan, labels) for uid, plan in plans.items()]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        kind = "naive 常规" if opts["naive"] else "staggered 错时"
        self.stdout.write(f"{day.isoformat()} 计划 / plan ({kind})")
        self.stdout.write(
            f"{'采集员 collector':<24}{'户 households':>14}{'走访 visits':>12}{'窗口内 in window':>18}"
            f"{'路程 km':>10}{'步行 walk min':>15}{'空闲 idle min':>15}"
        )
        for uid, plan in plans.items():
            user = users[uid]
            name = f"{user.username} {user.full_name}".strip()
            self.stdout.write(
                f"{name[:24]:<24}{plan.candidates:>14}{plan.count:>12}{100 * plan.in_window_share:>17.0f}%"
                f"{plan.route_m / 1000:>10.2f}{plan.walk_minutes:>15.0f}{plan.idle_minutes:>15.0f}"
            )
            if plan.missed_appointments:
                self.stdout.write(f"  未能安排的预约 / appointments not met: {len(plan.missed_appointments)}")
            if collectors is not None:
                for s in plan.stops:
                    window = f"{s.window[0]:%H:%M}–{s.window[1]:%H:%M}" if s.window else "—"
                    mark = " 预约 appointment" if s.appointment else ""
                    self.stdout.write(
                        f"  {s.start:%H:%M}–{s.end:%H:%M}  {labels.get(s.key, s.key)}  "
                        f"[{s.kind} {window}{'' if s.in_window else ' ✗'}] {s.walk_m:.0f} m{mark}"
                    )
        visits = sum(p.count for p in plans.values())
        inside = sum(p.in_window_count for p in plans.values())
        km = sum(p.route_m for p in plans.values()) / 1000
        share = f"{100 * inside / visits:.0f}%" if visits else "—"
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(plans)} 名采集员，{visits} 次走访，窗口内 {share}，共 {km:.1f} km，"
                f"用时 {seconds:.1f} s / {len(plans)} collectors, {visits} visits, {share} in window, "
                f"{km:.1f} km, {seconds:.1f} s"
            )
        )

    @staticmethod
    def _plan_json(user: User, plan: Any, labels: dict[Any, str]) -> dict[str, Any]:
        return {
            "collector": {"id": user.pk, "username": user.username, "name": user.full_name},
            "date": plan.day.isoformat(),
            "naive": plan.naive,
            "shifts": [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in plan.shifts],
            "households": plan.candidates,
            "count": plan.count,
            "in_window_share": round(plan.in_window_share, 4),
            "route_m": plan.route_m,
            "walk_minutes": plan.walk_minutes,
            "idle_minutes": plan.idle_minutes,
            "visit_minutes": plan.visit_minutes,
            "missed_appointments": list(plan.missed_appointments),
            "stops": [
                {
                    "address_id": s.key,
                    "door_id": s.door_key,
                    "label": labels.get(s.key, ""),
                    "kind": s.kind,
                    "start": _iso(s.start),
                    "end": _iso(s.end),
                    "window_start": _iso(s.window[0]) if s.window else None,
                    "window_end": _iso(s.window[1]) if s.window else None,
                    "in_window": s.in_window,
                    "walk_m": s.walk_m,
                    "appointment": s.appointment,
                }
                for s in plan.stops
            ],
        }
