"""Spot-check test helpers on top of the shared two-station county (tests/conftest.py)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.factories import AddressFactory, County, Station
from ybss.addresses.models import StandardAddress
from ybss.org.models import Role, User
from ybss.registry.models import House, Person, Unit
from ybss.supervision import services
from ybss.supervision.models import SpotCheckItem, SpotCheckRound


def collected(county: County) -> None:
    """The fixture's records get a collector: each station's own (they were imported, with none)."""
    for station in (county.a, county.b):
        collector = station.users["collector"]
        for model in (StandardAddress, House, Person, Unit):
            model.objects.filter(police_unit=station.district).update(created_by=collector)


def second_collector(station: Station) -> User:
    user = User.objects.create(
        username=f"collector2_{station.key}",
        full_name=f"collector2_{station.key}",
        role=Role.COLLECTOR,
        police_unit=station.district,
        division=station.village,
    )
    station.users["collector2"] = user
    return user


def doors(station: Station, n: int, collector: User) -> list[StandardAddress]:
    """``n`` more accepted door plates in ``station``, collected by ``collector``."""
    return [
        AddressFactory(
            road=station.road,
            division=station.village,
            police_unit=station.district,
            created_by=collector,
        )
        for _ in range(n)
    ]


def draw(actor: User, unit_code: str, size: int = 4, **kwargs: Any) -> SpotCheckRound:
    kwargs.setdefault("seed", 20261101)
    kwargs.setdefault("name", "第1轮抽查")
    return services.spot_check_draw(actor=actor, police_unit_code=unit_code, sample_size=size, **kwargs)


def items(rnd: SpotCheckRound) -> list[SpotCheckItem]:
    return list(SpotCheckItem.objects.filter(round=rnd).order_by("pk"))


def station_round(county: County, station: Station, **kwargs: Any) -> tuple[SpotCheckRound, SpotCheckItem]:
    """A round of ``station`` drawn by its chief, and its item on the station's door plate (given
    to the station's officer)."""
    collected(county)
    rnd = draw(
        station.users["chief"], station.station.code, size=10, name=f"{station.station.name}抽查", **kwargs
    )
    item = SpotCheckItem.objects.get(round=rnd, record_type="address", record_id=station.door.pk)
    SpotCheckItem.objects.filter(pk=item.pk).update(checker=station.users["officer"])
    item.refresh_from_db()
    return rnd, item


class Api:
    """A JSON client: ``get``/``post`` return ``(status, body)``."""

    def __init__(self, client: Client, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = headers or {}

    def get(self, path: str, **params: Any) -> tuple[int, Any]:
        r = self.client.get(path, params or None, headers=self.headers)
        return r.status_code, r.json()

    def post(self, path: str, data: Any = None) -> tuple[int, Any]:
        r = self.client.post(
            path, json.dumps(data or {}), content_type="application/json", headers=self.headers
        )
        return r.status_code, r.json()
