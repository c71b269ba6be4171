"""`ybss template KIND FILE.xlsx`: write the empty Excel import template of one kind
(addresses, houses, persons, units): Chinese headers, a notes row, drop-down lists for coded
columns, an example row, a notes sheet and a hidden code sheet (``transfer.templates_xlsx``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ybss.transfer.columns import KINDS, TEMPLATES
from ybss.transfer.templates_xlsx import write_template


class Command(BaseCommand):
    help = "Write the Excel import template of one kind. / 生成导入模板（Excel）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=KINDS, help="addresses | houses | persons | units")
        parser.add_argument("file", help="the .xlsx file to write")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if path.suffix.lower() != ".xlsx":
            raise CommandError("模板文件名须以 .xlsx 结尾 / the template file name must end in .xlsx")
        if not path.parent.exists():
            raise CommandError(f"目录不存在 / no such folder: {path.parent}")
        write_template(opts["kind"], path)
        self.stdout.write(
            self.style.SUCCESS(f"已生成{TEMPLATES[opts['kind']].title}导入模板 / template written: {path}")
        )
