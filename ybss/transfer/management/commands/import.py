"""`ybss import KIND FILE --user USERNAME [--dry-run] [--good-rows] [--report R.xlsx] [--fixable F.xlsx]`

Imports a csv/xlsx/xls file of persons (with residence), units, addresses or houses as USERNAME,
inside that user's jurisdiction. All-or-nothing by default: any row with an error rejects the
file and nothing is written (exit status 1). ``--good-rows`` writes the good rows and puts the bad
ones, with an error column, in a file that can be fixed and imported again. Progress goes to
stderr; the summary and the first problems to stdout; ``--report`` writes every problem to Excel.

(The module is called ``import`` so that the command is ``ybss import``; Django loads commands
with ``importlib.import_module``, which accepts a keyword as a module name.)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from tqdm import tqdm

from ybss.core.errors import Forbidden
from ybss.org.models import User
from ybss.transfer.columns import KINDS
from ybss.transfer.importing import ImportOptions, ImportReport, report_to_xlsx, run_import

SHOWN_ISSUES = 20
STATES = {
    "written": "已全部写入 / all rows written",
    "partial": "已写入无误的行，有误的行已另存 / good rows written, bad rows saved for fixing",
    "rejected": "文件被拒绝，未写入任何数据 / file rejected, nothing written",
    "dry_run": "试运行，未写入任何数据 / dry run, nothing written",
}


class Command(BaseCommand):
    help = "Import persons, units, addresses or houses from csv/xlsx/xls. / 从表格导入数据。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=KINDS, help="persons | units | addresses | houses")
        parser.add_argument("file", help="csv (UTF-8 or GBK/GB18030), xlsx or xls")
        parser.add_argument("--user", required=True, help="import as this user (their jurisdiction)")
        parser.add_argument("--dry-run", action="store_true", help="validate and report only")
        parser.add_argument(
            "--good-rows", action="store_true", help="write the good rows; bad rows go to a fixable file"
        )
        parser.add_argument("--report", help="write every problem found to this .xlsx file")
        parser.add_argument("--fixable", help="where --good-rows puts the bad rows (default: beside FILE)")

    def handle(self, *args: Any, **opts: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 / no such file: {path}")
        actor = User.objects.filter(username=opts["user"], is_active=True).first()
        if actor is None:
            raise CommandError(f"没有该用户 / no such active user: {opts['user']}")
        options = ImportOptions(
            dry_run=opts["dry_run"],
            good_rows=opts["good_rows"],
            fixable_path=Path(opts["fixable"]) if opts["fixable"] else None,
        )
        bars: list[tqdm] = []

        def on_stage(name: str) -> None:
            for b in bars:
                b.close()
            bars.clear()
            if name == "write":
                sys.stderr.write("写入数据库 / writing to the database\n")
                sys.stderr.flush()
            desc = {"validate": "校验 validate", "write": "写入 write", "index": "建索引 index"}.get(
                name, name
            )
            bars.append(tqdm(desc=desc, unit="row", unit_scale=True, file=sys.stderr))

        def progress(done: int, total: int | None) -> None:
            bar = bars[-1]
            if total is not None and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        try:
            report = run_import(
                actor=actor,
                kind=opts["kind"],
                path=path,
                options=options,
                progress=progress,
                on_stage=on_stage,
                channel="cli",
            )
        except Forbidden as exc:
            raise CommandError(f"该用户无权导入 / this user may not import ({opts['user']})") from exc
        finally:
            for b in bars:
                b.close()
        self._summary(report)
        if opts["report"]:
            written = report_to_xlsx(report, opts["report"])
            self.stdout.write(f"问题清单 / report: {written}")
        if report.state == "rejected":
            raise CommandError(STATES["rejected"], returncode=1)
        if report.state == "dry_run" and report.rows_rejected and not options.good_rows:
            raise CommandError(
                "试运行发现有误的行，正式导入将被拒绝 / the dry run found bad rows", returncode=1
            )

    def _summary(self, report: ImportReport) -> None:
        out = self.stdout
        out.write(f"{report.file_name}: {STATES[report.state]}")
        out.write(
            f"行数 rows {report.rows}，无误 ok {report.rows_ok}，有误 with errors {report.rows_rejected}；"
            f"新建 created {report.total('created')}，更新 updated {report.total('updated')}，"
            f"未变 unchanged {report.total('unchanged')}（{report.seconds:.1f} s）"
        )
        if report.queued_addresses:
            out.write(f"待清理地址 / addresses queued for cleaning: {report.queued_addresses}")
        if report.fixable_path:
            out.write(f"待修正文件 / rows to fix: {report.fixable_path}")
        issues = report.sorted_issues()
        for i in issues[:SHOWN_ISSUES]:
            where = f"第{i.row}行" if i.row is not None else "文件"
            column = f"【{i.column}】" if i.column else ""
            level = "错误" if i.is_error else "提示"
            out.write(f"  {level} {where}{column} {i.value} {i.message} ({i.code})")
        more = len(issues) - SHOWN_ISSUES + report.issues_not_listed
        if more > 0:
            out.write(f"  … 另有 {more} 条 / {more} more (--report)")
