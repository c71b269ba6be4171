"""`ybss export KIND FILE --user USERNAME [--format xlsx|csv] [--encoding utf-8|gb18030]
[--q TEXT] [--status S] [--police-unit CODE] [--division CODE] [--filter NAME=VALUE ...]
[--purpose TEXT]`: export the records USERNAME may see, in the import-template layout.

Scoping, masking and the audit event are those of ``transfer.exporting.export_to_file``; the
event's channel is ``cli``. ``--format`` defaults to the file's suffix (``.csv`` → csv, else xlsx).
``--filter`` takes the other filters of the kind's list (e.g. ``sex=1``, ``residence_type=floating``,
``separated=yes``, ``use=rented``, ``special_trade=hotel``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ybss.core.errors import AppError
from ybss.org.models import User
from ybss.transfer.columns import KINDS
from ybss.transfer.exporting import ENCODINGS, FORMATS, export_to_file


class Command(BaseCommand):
    help = "Export records in the import-template layout. / 按导入模板格式导出数据。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=KINDS, help="addresses | houses | persons | units")
        parser.add_argument("file", help="the file to write (.xlsx or .csv)")
        parser.add_argument(
            "--user", required=True, help="the exporting user's sign-in name (scope, masking, audit)"
        )
        parser.add_argument("--format", choices=FORMATS, help="xlsx or csv (default: from the file name)")
        parser.add_argument(
            "--encoding", default="utf-8", choices=sorted(ENCODINGS), help="csv only (default utf-8 with BOM)"
        )
        parser.add_argument("--purpose", default="", help="why (required for an investigator's search)")
        parser.add_argument("--q", default="", help="search text, as in the list's search box")
        parser.add_argument(
            "--status", default="", help="record status code (draft, pending, accepted, returned, voided)"
        )
        parser.add_argument("--police-unit", default="", help="police-unit code prefix")
        parser.add_argument("--division", default="", help="division code prefix (addresses, persons)")
        parser.add_argument(
            "--filter", action="append", default=[], metavar="NAME=VALUE", help="another filter of the list"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        kind, path = opts["kind"], Path(opts["file"])
        fmt = opts["format"] or ("csv" if path.suffix.lower() == ".csv" else "xlsx")
        if not path.parent.exists():
            raise CommandError(f"目录不存在 / no such folder: {path.parent}")
        try:
            actor = User.objects.select_related("police_unit", "division").get(username=opts["user"])
        except User.DoesNotExist as exc:
            raise CommandError(f"用户不存在 / no such user: {opts['user']}") from exc
        filters: dict[str, str] = {k: opts[k] for k in ("q", "status", "police_unit", "division") if opts[k]}
        for item in opts["filter"]:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise CommandError(f"--filter 须为 NAME=VALUE / must be NAME=VALUE: {item}")
            filters[name.strip()] = value.strip()

        started = time.perf_counter()
        bar = (
            None if opts["quiet"] else tqdm(desc="导出 export", unit="row", unit_scale=True, file=sys.stderr)
        )

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.update(done - bar.n)

        try:
            result = export_to_file(
                kind,
                actor,
                path,
                filters=filters,
                fmt=fmt,
                encoding=opts["encoding"],
                purpose=opts["purpose"],
                channel="cli",
                progress=progress,
            )
        except AppError as exc:
            fields = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.code}: {exc.message}" + (f" ({fields})" if fields else "")) from exc
        finally:
            if bar is not None:
                bar.close()
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出 {result.rows} 条 / exported {result.rows} rows ({fmt}) to {path} "
                f"in {seconds:.1f} s as {result.exporter}"
            )
        )
