"""Merging addresses carries the field-collection rows along: task households, visits, slips."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ybss.cleaning import services
from ybss.collection.models import TaskItem, Visit
from ybss.collection.services import task_create, visit_record

pytestmark = pytest.mark.django_db


def test_task_households_and_visits_follow_the_survivor(county, dup):
    officer, collector = county.a.users["officer"], county.a.users["collector"]
    task = task_create(
        actor=officer,
        assignee=collector,
        name="合并前的任务",
        deadline=dt.date.today() + dt.timedelta(days=5),
        door_ids=[dup.dup.pk],
    )
    twin = TaskItem.objects.get(task=task, address__room_no="501")
    visit_record(
        actor=collector, address_id=twin.address_id, outcome="nobody_home", visited_at=timezone.now()
    )
    services.address_merge(
        actor=county.a.users["chief"], survivor=dup.keep, duplicates=[dup.dup], reason="同一门牌"
    )
    twin.refresh_from_db()
    assert twin.address_id == county.a.room.pk and twin.door_id == dup.keep.pk
    assert Visit.objects.get().address_id == county.a.room.pk
    assert not TaskItem.objects.filter(door=dup.dup).exists()
