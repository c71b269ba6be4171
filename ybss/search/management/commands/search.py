"""`ybss search reindex [--quiet]`: rebuild the search indexes (``search.PersonKey`` from the
persons, ``search.AddressKey`` from the standard addresses; units need none). Changes after that
follow by themselves (``ybss.core.events``); run it after a bulk load that bypassed the services
(a demo load, an import straight into the database)."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm


class Command(BaseCommand):
    help = "一键搜索 / search: ybss search reindex"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reindex = sub.add_parser("reindex", help="rebuild the person and address search indexes")
        reindex.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        from ybss.addresses.models import StandardAddress
        from ybss.registry.models import Person
        from ybss.search.services import address_index_rebuild, person_index_rebuild

        t0 = time.perf_counter()
        persons = Person.objects.count()
        addresses = StandardAddress.objects.count()
        bar = tqdm(
            total=persons + addresses,
            desc="索引 reindex",
            unit="record",
            file=sys.stderr,
            disable=opts["quiet"],
        )
        keys = person_index_rebuild(progress=bar.update)
        t1 = time.perf_counter()
        address_keys = address_index_rebuild(progress=bar.update)
        bar.close()
        self.stdout.write(
            f"{keys} keys for {persons} persons in {t1 - t0:.1f} s; "
            f"{address_keys} keys for {addresses} addresses in {time.perf_counter() - t1:.1f} s"
        )
