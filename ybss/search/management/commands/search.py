"""`ybss search reindex [--quiet]`: rebuild the person search index (``search.PersonKey``) from
the persons. Changes after that follow by themselves (``ybss.core.events``); run it after a bulk
load that bypassed the services (a demo load, an import straight into the database)."""

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
        reindex = sub.add_parser("reindex", help="rebuild the person search index")
        reindex.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        from ybss.registry.models import Person
        from ybss.search.services import search_index_rebuild

        t0 = time.perf_counter()
        bar = tqdm(
            total=Person.objects.count(),
            desc="索引 reindex",
            unit="人",
            file=sys.stderr,
            disable=opts["quiet"],
        )
        keys = search_index_rebuild(progress=bar.update)
        bar.close()
        self.stdout.write(f"{keys} keys for {bar.n} persons in {time.perf_counter() - t0:.1f} s")
