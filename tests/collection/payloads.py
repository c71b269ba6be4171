"""Builders of phone submissions for the collection tests (the shapes of docs/collection.md)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from tests.factories import make_id


def person(
    seq: int, *, name: str = "", sex: str = "", residence_type: str = "permanent", **fields: Any
) -> dict:
    number = make_id(birth="19850315", seq=seq)
    return {
        "cid": str(uuid.uuid4()),
        "fields": {
            "id_number": number,
            "name": name or f"采{seq}",
            "sex": sex or ("1" if seq % 2 else "2"),
            "ethnicity": "01",
            "phone": f"1390000{seq:04d}",
            "hukou_division_code": "610524001003",
            **fields,
        },
        "residence": {"residence_type": residence_type, "relation": "02" if seq % 2 else "10"},
    }


def household_new_door(station, *, door_number: str = "88", persons: int = 2, seq0: int = 500) -> dict:
    """A new door plate on the station's test road, a courtyard house on it and ``persons`` people."""
    return {
        "door": {
            "cid": str(uuid.uuid4()),
            "new": {
                "division_code": station.village.code,
                "road_id": station.road.pk,
                "door_number": door_number,
                "lng": 110.15,
                "lat": 35.24,
            },
        },
        "house": {"cid": str(uuid.uuid4()), "fields": {"house_type": "bungalow", "use": "self"}},
        "persons": [person(seq0 + i) for i in range(persons)],
        "visit": {"outcome": "collected"},
    }


def household_at_room(station, *, persons: int = 1, seq0: int = 600) -> dict:
    """New people in the station's existing house (room address)."""
    return {
        "door": {"id": station.door.pk, "version": station.door.version},
        "room": {"id": station.room.pk, "version": station.room.version},
        "house": {"id": station.house.pk, "version": station.house.version},
        "persons": [person(seq0 + i, residence_type="lodging") for i in range(persons)],
    }


def edit_person(station, *, version: int | None = None, **fields: Any) -> dict:
    p = station.person
    return {
        "door": {"id": station.door.pk, "version": station.door.version},
        "room": {"id": station.room.pk, "version": station.room.version},
        "house": {"id": station.house.pk, "version": station.house.version},
        "persons": [{"id": p.pk, "version": version if version is not None else p.version, "fields": fields}],
    }


def submission(kind: str, payload: dict, **extra: Any) -> dict:
    now = timezone.now()
    return {
        "client_id": str(uuid.uuid4()),
        "kind": kind,
        "started_at": (now - dt.timedelta(minutes=6)).isoformat(),
        "finished_at": now.isoformat(),
        "lat": 35.2401,
        "lng": 110.1502,
        "accuracy_m": 12,
        "payload": payload,
        **extra,
    }
