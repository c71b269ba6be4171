"""Use in police work in the demo county (服务实战): a wanted-persons list and a list of people to
help, compared with the population into leads for review; tips from residents; leads reviewed;
cases opened from confirmed leads; and the results ledger in the categories and totals Heyang
reported (21 leads, 16 cases solved, 6 prosecutions, 5 fugitives, 4 drug users, 3 guns, 623 rounds,
70 residents helped), spread over the stations and the campaign's weeks so the bulletins, the
results page and the statistics have something to show. Everything goes through the services the
pages use; only the dates are moved back into the campaign afterwards (the services stamp "now").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from typing import Any

from django.utils import timezone

from ybss.core.identifiers import id_check_char
from ybss.core.models import RecordStatus
from ybss.org.models import PoliceUnit, PoliceUnitKind, Role, User
from ybss.registry.models import Person

from .common import EPOCH, REFERENCE_DATE

#: Heyang's reported results (DOMAIN.md §9), by ``ResultCategory``.
HEYANG_RESULTS = {
    "lead": 21,
    "case_solved": 16,
    "prosecution": 6,
    "fugitive": 5,
    "drug_user": 4,
    "weapons": 3,
    "ammunition": 623,
    "helped": 70,
}

#: A few characters and their homophones, for near-spelling rows of the demo's watch list.
_HOMOPHONES = {"伟": "玮", "军": "君", "华": "骅", "明": "铭", "丽": "莉", "强": "墙", "芳": "方", "平": "萍"}

_TIPS = (
    ("群众反映该户近期有多名陌生人员频繁出入，深夜聚集。", "电话举报（110 转）"),
    ("邻居反映出租屋内疑似存放易燃物品。", "群众来访"),
    ("村委会反映一名独居老人多日未见出门。", "村委会电话"),
)


def _user(username: str) -> User | None:
    return User.objects.select_related("police_unit", "division").filter(username=username).first()


def _stations() -> list[PoliceUnit]:
    return list(PoliceUnit.objects.filter(kind=PoliceUnitKind.STATION).order_by("code"))


def _station_user(station: PoliceUnit) -> User | None:
    return (
        User.objects.filter(police_unit=station, role=Role.CHIEF, is_active=True)
        .select_related("police_unit", "division")
        .order_by("pk")
        .first()
    )


def _filler_id(rng: random.Random) -> str:
    """A valid ID number from a region outside the county (Xi'an, Yanta district)."""
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 40 * 365))
    body = f"610113{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + id_check_char(body)


def _csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["身份证号", "姓名", "出生日期", "地区"])
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def _sample_persons(rng: random.Random, n: int) -> list[Person]:
    live = Person.objects.exclude(status=RecordStatus.VOIDED).exclude(name="")
    top = live.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = {rng.randint(1, top) for _ in range(n * 4)} if top else set()
    return list(live.filter(pk__in=picks).exclude(birth_date=None).order_by("pk")[:n])


def _near_name(name: str) -> str | None:
    for i in range(len(name) - 1, 0, -1):
        if name[i] in _HOMOPHONES:
            return name[:i] + _HOMOPHONES[name[i]] + name[i + 1 :]
    return None


def _watch_lists(investigator: User, approver: User, rng: random.Random) -> tuple[int, int]:
    """A wanted list (exact ID rows, near spellings with a birth date, out-of-county fillers) and a
    list of people to help; both approved and compared. Returns (lists, leads)."""
    from ybss.casework import services

    people = _sample_persons(rng, 14)
    wanted: list[tuple[str, str, str, str]] = [(p.id_number, p.name, "", "") for p in people[:5]]
    for p in people[5:10]:
        near = _near_name(p.name)
        if near and p.birth_date:
            wanted.append(("", near, p.birth_date.isoformat(), p.id_number[:6]))
    filler_names = [p.name for p in people] or ["张伟"]
    while len(wanted) < 60:
        number = _filler_id(rng)
        born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
        wanted.append((number, rng.choice(filler_names) + rng.choice("甲乙丙"), born, "610113"))
    help_rows = [(p.id_number, p.name, "", "") for p in people[10:14]]
    leads = 0
    lists = 0
    expires = REFERENCE_DATE + dt.timedelta(days=180)
    for name, kind, purpose, rows in (
        ("网上在逃人员比对（2026年第4批）", "wanted", "追逃：比对网上在逃人员", wanted),
        ("特困老人帮扶名单", "help", "为民服务：核实特困老人现居住地", help_rows),
    ):
        if not rows:
            continue
        wl = services.watchlist_upload(
            actor=investigator,
            name=name,
            kind=kind,
            purpose=purpose,
            expires_on=expires,
            file_name="list.csv",
            content=_csv(rows),
        )
        services.watchlist_approve(actor=approver, pk=wl.pk)
        leads += services.watchlist_run(actor=investigator, pk=wl.pk).new_leads
        lists += 1
    return lists, leads


def _tips(stations: list[PoliceUnit], rng: random.Random) -> int:
    from ybss.casework import lead_reports

    n = 0
    for (summary, source), station in zip(
        _TIPS, rng.sample(stations, min(len(stations), len(_TIPS))), strict=False
    ):
        chief = _station_user(station)
        person = (
            Person.objects.filter(police_unit__pk__startswith=station.code[:9])
            .exclude(status=RecordStatus.VOIDED)
            .order_by("pk")
            .first()
        )
        if chief is None or person is None:
            continue
        lead_reports.lead_tip_create(
            actor=chief, summary=summary, details=source, person_id_number=person.id_number
        )
        n += 1
    return n


def _review(investigator: User, rng: random.Random) -> tuple[int, int]:
    """Confirm about half of the leads, dismiss a few, open a case from each confirmed watch-list
    hit. Returns (reviewed, cases)."""
    from ybss.casework import services
    from ybss.casework.models import Lead, LeadSource, LeadState

    reviewed = cases = 0
    for lead in Lead.objects.filter(state=LeadState.NEW).order_by("pk"):
        roll = rng.random()
        if roll < 0.5:
            services.lead_review(
                actor=investigator,
                pk=lead.pk,
                decision=LeadState.CONFIRMED,
                note="已到现场核实，情况属实。",
                outcome="已移交办案单位",
            )
            if lead.source == LeadSource.WATCH_LIST:
                services.case_create(
                    actor=investigator,
                    title=f"线索 {lead.pk} 比中人员核查",
                    opened_on=REFERENCE_DATE - dt.timedelta(days=rng.randint(1, 20)),
                    lead_id=lead.pk,
                )
                cases += 1
        elif roll < 0.7:
            services.lead_review(
                actor=investigator,
                pk=lead.pk,
                decision=LeadState.DISMISSED,
                note="经核实为同名同姓人员，排除。",
            )
        else:
            continue
        reviewed += 1
    return reviewed, cases


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split into ``parts`` non-negative counts, uneven like real work."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _results(stations: list[PoliceUnit], rng: random.Random) -> int:
    """Heyang's totals, each category split over a few stations and dated in the campaign."""
    from ybss.casework import services

    chiefs = [c for c in (_station_user(s) for s in stations) if c is not None]
    if not chiefs:
        return 0
    days = (REFERENCE_DATE - EPOCH).days
    n = 0
    for category, total in HEYANG_RESULTS.items():
        who = rng.sample(chiefs, min(len(chiefs), 4 if total > 4 else total))
        for chief, count in zip(who, _split(total, len(who), rng), strict=True):
            if count <= 0:
                continue
            services.result_record(
                actor=chief,
                category=category,
                count=count,
                occurred_on=EPOCH + dt.timedelta(days=rng.randint(0, days)),
                note="",
            )
            n += 1
    return n


def _backdate(rng: random.Random) -> None:
    """Move the leads' and cases' stamps from today into the campaign (the services stamp now)."""
    from ybss.casework.models import Case, Lead

    tz = timezone.get_current_timezone()
    days = (REFERENCE_DATE - EPOCH).days
    for lead in Lead.objects.order_by("pk"):
        at = dt.datetime.combine(EPOCH + dt.timedelta(days=rng.randint(0, days)), dt.time(10), tz)
        Lead.objects.filter(pk=lead.pk).update(
            created_at=at, reviewed_at=None if lead.reviewed_at is None else at + dt.timedelta(days=1)
        )
    for case in Case.objects.order_by("pk"):
        at = dt.datetime.combine(case.opened_on, dt.time(16), tz)
        Case.objects.filter(pk=case.pk).update(created_at=at)


def seed_casework(seed: int) -> dict[str, Any]:
    """Run the demo's police-work round; returns counts of what was written."""
    rng = random.Random(seed * 7919 + 3)
    investigator, approver = _user("investigator"), _user("supervisor")
    stations = _stations()
    counts: dict[str, Any] = {
        "watch_lists": 0,
        "leads": 0,
        "tips": 0,
        "reviewed": 0,
        "cases": 0,
        "results": 0,
    }
    if investigator is None or approver is None or not stations:
        return counts
    counts["watch_lists"], counts["leads"] = _watch_lists(investigator, approver, rng)
    counts["tips"] = _tips(stations, rng)
    counts["reviewed"], counts["cases"] = _review(investigator, rng)
    counts["results"] = _results(stations, rng)
    _backdate(rng)
    return counts
