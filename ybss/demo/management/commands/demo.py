"""`ybss demo [--scale S] [--seed N] [--reset]`: build the synthetic 合阳县 demo county.

Generates the rows (pure, deterministic for scale + seed), then writes them in one transaction and
refreshes the planner statistics. Refuses a database that already holds data unless ``--reset``
is given; ``--reset`` wipes the database first (SQLite: deletes the file; PostgreSQL: drops and
recreates the ``public`` schema) and migrates.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from tqdm import tqdm

from ybss.demo import DEMO_PASSWORD
from ybss.demo.generate import STAGES, generate, totals_for
from ybss.demo.load import analyze, database_is_empty, demo_password_hash, load

NOT_EMPTY = (
    "数据库中已有数据，演示数据未写入。如需清空后重建，请使用 --reset。\n"
    "The database already holds data; nothing was written. Use --reset to wipe it and rebuild."
)


class Command(BaseCommand):
    help = "Build the synthetic demo county (合阳县 610524). / 生成演示县（合阳县）数据。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1 = the full county (default 1)")
        parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
        parser.add_argument("--reset", action="store_true", help="wipe the database and migrate first")
        parser.add_argument(
            "--status", action="store_true", help="only report whether data is loaded (exit 1 when empty)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["status"]:
            _migrate_if_needed()
            if database_is_empty():
                raise CommandError("数据库为空 / the database holds no data")
            self.stdout.write("数据已加载 / data is loaded")
            return
        scale, seed = opts["scale"], opts["seed"]
        try:
            totals = totals_for(scale)
        except ValueError as exc:
            raise CommandError("--scale 必须是正数 / must be a positive number") from exc
        started = time.perf_counter()
        if opts["reset"]:
            _reset_database()
        elif not database_is_empty():
            raise CommandError(NOT_EMPTY)
        _migrate_if_needed()

        with tqdm(total=len(STAGES), desc="生成 generate", unit="step", file=sys.stderr) as bar:

            def stage(name: str) -> None:
                bar.set_postfix_str(name)
                bar.update(1)

            data = generate(scale, seed, progress=stage)
        password_hash = demo_password_hash(seed)
        org_rows = sum(len(t.rows) for t in data.org_tables(password_hash).values())
        with tqdm(
            total=data.total_rows + org_rows, desc="写入 load", unit="row", unit_scale=True, file=sys.stderr
        ) as bar:
            with transaction.atomic():
                counts = load(data, password_hash=password_hash, progress=bar.update)
        analyze(list(counts))
        from ybss.addresses.models import StandardAddress
        from ybss.registry.models import Person
        from ybss.search.services import search_index_rebuild

        # The bulk load bypasses the record services, so the search index is built once here.
        with tqdm(
            total=Person.objects.count() + StandardAddress.objects.count(),
            desc="索引 search index",
            unit="record",
            file=sys.stderr,
        ) as bar:
            # both report the records of each batch done
            search_index_rebuild(progress=bar.update, address_progress=bar.update)
        from ybss.demo.collection import seed_collection_round
        from ybss.org.models import PoliceUnit

        districts = PoliceUnit.objects.filter(kind="district").count()
        with tqdm(total=districts, desc="采集 collection round", unit="district", file=sys.stderr) as bar:
            with transaction.atomic():
                round_counts = seed_collection_round(seed, progress=bar.update)
        from ybss.demo.casework import seed_casework
        from ybss.demo.supervision import STAGES as SUPERVISION_STAGES

        casework_counts = seed_casework(seed)
        from ybss.demo.supervision import seed_supervision

        with tqdm(
            total=len(SUPERVISION_STAGES), desc="督查 supervision", unit="step", file=sys.stderr
        ) as bar:

            def supervised(name: str) -> None:
                bar.set_postfix_str(name)
                bar.update(1)

            supervision_counts = seed_supervision(seed, progress=supervised)
        seconds = time.perf_counter() - started
        rows = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"演示县已生成 / demo county built (scale {scale}, seed {seed}): "
                f"{totals.addresses} addresses, {totals.houses} houses, {totals.persons} persons, "
                f"{totals.units} units; {rows} rows in {seconds:.1f} s."
            )
        )
        self.stdout.write(
            f"采集轮次 / collection round: {round_counts['tasks']} tasks, {round_counts['visits']} visits, "
            f"{round_counts['appointments']} appointment slips, "
            f"{round_counts['submissions']} submissions to review."
        )
        self.stdout.write(
            f"服务实战 / police work: {casework_counts['watch_lists']} watch lists compared, "
            f"{casework_counts['leads']} leads from them and {casework_counts['tips']} tips, "
            f"{casework_counts['reviewed']} reviewed, {casework_counts['cases']} cases, "
            f"{casework_counts['results']} results recorded."
        )
        self.stdout.write(
            f"督查 / supervision: {supervision_counts['problems']} problems in the ledger, "
            f"{supervision_counts['targets']} targets, {supervision_counts['spot_checks']} spot checks, "
            f"{supervision_counts['bulletins']} bulletins; rate history since the campaign began."
        )
        self.stdout.write(f"Demo password for every user: {DEMO_PASSWORD}")


def _reset_database() -> None:
    """Wipe the database: SQLite deletes its files, PostgreSQL recreates the public schema."""
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if not name or name == ":memory:" or "mode=memory" in name:
            raise CommandError("--reset 需要文件数据库 / needs a file-based SQLite database")
        connection.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cur.execute("CREATE SCHEMA public")
    else:
        raise CommandError(f"--reset does not support {connection.vendor}")


def _migrate_if_needed() -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)
