"""A collection round under way in the demo county, so the field-collection pages have work on
them: in every police district an open task for its first collector (a re-check of 40
households), some visits (collected, nobody home with an appointment slip, refused), and
submissions waiting for the community officer — a changed occupation, a newcomer, and a second
collector's edit of the same person from the same version, which arrives as a conflict.

Everything goes through the collection services (``task_create``, ``visit_record``,
``sync_receive``), as the pages and phones would; the demo county's registry is not changed
until an officer passes something. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from ybss.addresses.models import StandardAddress
from ybss.collection import services, sync
from ybss.collection.models import TaskItem
from ybss.core.identifiers import id_check_char
from ybss.org.models import PoliceUnit, Role, User
from ybss.registry.models import Person, Residence

#: Households per demo task.
TASK_SIZE = 40

_OCCUPATIONS = ("个体经营", "务农", "教师", "司机", "厨师", "快递员", "退休")
_GIVEN = ("建华", "秀兰", "志强", "丽娟", "海燕", "国庆", "春梅", "晓东")


def _new_id(rng: random.Random) -> str:
    while True:
        birth = f"{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        first17 = f"610524{birth}{rng.randint(0, 999):03d}"
        number = first17 + id_check_char(first17)
        if not Person.objects.filter(id_number=number).exists():
            return number


def _submission(body: dict[str, Any], when: dt.datetime) -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "kind": "household",
        "started_at": (when - dt.timedelta(minutes=7)).isoformat(),
        "finished_at": when.isoformat(),
        "payload": body,
    }


def seed_collection_round(seed: int, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Open the demo's collection round; returns counts of what was written."""
    rng = random.Random(seed * 7919 + 5)
    tick = progress or (lambda _n: None)
    counts = {"tasks": 0, "visits": 0, "appointments": 0, "submissions": 0}
    now = timezone.now()
    for district in PoliceUnit.objects.filter(kind="district").order_by("code"):
        officer = User.objects.filter(role=Role.OFFICER, police_unit=district).order_by("pk").first()
        collectors = list(User.objects.filter(role=Role.COLLECTOR, police_unit=district).order_by("pk"))
        tick(1)
        if officer is None or not collectors:
            continue
        houses = list(
            Residence.objects.filter(police_unit=district, active=True, status="accepted")
            .values_list("house__address_id", flat=True)
            .distinct()
            .order_by("house__address_id")[: TASK_SIZE * 3]
        )
        picked = sorted(rng.sample(houses, min(TASK_SIZE, len(houses))))
        if not picked:
            continue
        task = services.task_create(
            actor=officer,
            assignee=collectors[0],
            name=f"{district.name}入户核对（第二轮）",
            deadline=timezone.localdate() + dt.timedelta(days=14),
            address_ids=picked,
        )
        counts["tasks"] += 1
        items = list(TaskItem.objects.filter(task=task).order_by("seq"))
        collector = collectors[0]
        for i, item in enumerate(items[:14]):
            outcome = "collected" if i < 9 else "nobody_home" if i < 13 else "refused"
            services.visit_record(
                actor=collector,
                address_id=item.address_id,
                outcome=outcome,
                visited_at=now - dt.timedelta(hours=rng.randint(2, 72)),
                task_item=item,
                device="demo",
                availability="office" if outcome == "nobody_home" else None,
                appointment={} if outcome == "nobody_home" else None,
            )
            counts["visits"] += 1
            counts["appointments"] += outcome == "nobody_home"
        counts["submissions"] += _submissions(rng, collectors, items, now)
    return counts


def _submissions(rng: random.Random, collectors: list[User], items: list[TaskItem], now: dt.datetime) -> int:
    """A changed occupation, a newcomer, and (with a second collector) a conflicting edit."""
    sent = 0
    first = items[0]
    address = StandardAddress.objects.get(pk=first.address_id)
    residence = (
        Residence.objects.filter(house__address=address, active=True)
        .select_related("person", "house")
        .first()
    )
    if residence is None:
        return 0
    person, house = residence.person, residence.house
    door = {"id": first.door_id, "version": StandardAddress.objects.get(pk=first.door_id).version}
    room = {"id": address.pk, "version": address.version} if address.parent_id else None
    base = {
        "door": door,
        **({"room": room} if room else {}),
        "house": {"id": house.pk, "version": house.version},
    }
    edit = {
        **base,
        "persons": [
            {"id": person.pk, "version": person.version, "fields": {"occupation": rng.choice(_OCCUPATIONS)}}
        ],
    }
    number = _new_id(rng)
    newcomer = {
        **base,
        "persons": [
            {
                "cid": str(uuid.uuid4()),
                "fields": {
                    "id_number": number,
                    "name": rng.choice("王李张刘陈杨赵黄") + rng.choice(_GIVEN),
                    "sex": "1" if int(number[16]) % 2 else "2",
                    "ethnicity": "01",
                    "phone": f"139{rng.randint(0, 99_999_999):08d}",
                    "hukou_division_code": house.division_id,
                },
                "residence": {"residence_type": "lodging", "relation": "10"},
            }
        ],
    }
    for body in (edit, newcomer):
        [res] = sync.sync_receive(actor=collectors[0], submissions=[_submission(body, now)], device="demo")
        sent += res["status"] in ("accepted", "conflict")
    if len(collectors) > 1:
        other = {
            **base,
            "persons": [{"id": person.pk, "version": person.version, "fields": {"occupation": "无业"}}],
        }
        [res] = sync.sync_receive(actor=collectors[1], submissions=[_submission(other, now)], device="demo")
        sent += res["status"] in ("accepted", "conflict")
    return sent
