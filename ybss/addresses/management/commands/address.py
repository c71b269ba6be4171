"""`ybss address parse TEXT | parse --file F | eval FILE | train FILE [--out PATH] | clean …`

* ``parse TEXT``: the parsed address as JSON (components and CCKS labels with spans, canonical
  values, the normalised text). ``parse --file F``: every line of F (``-``: stdin), one JSON object
  a line, with a progress bar on stderr.
* ``eval FILE``: per-label and micro precision/recall/F1 of the parser on a BIO file (JSON), with
  the trained model when one is installed, else the rules (``parsing.ner.evaluate``).
* ``train FILE [--out PATH]``: train the address tagger on a BIO file into the data folder (or
  PATH); ``parse`` and ``eval`` use it from then on (``parsing.ner.train``).
* ``clean``: the batch cleaning pass: match every pending item of the cleaning queue
  (``transfer.AddressCleaningItem``) and find duplicate standard addresses, stored as the cleaning
  app's duplicate check (what the duplicates page shows); prints a summary (JSON with
  ``--json``). ``--apply --user U`` links the items that matched exactly, as U, through the
  cleaning workflow's own service (history, alias, linked persons), inside U's jurisdiction.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ybss.core.errors import AppError
from ybss.org.models import User


def _fail(exc: AppError) -> CommandError:
    fields = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in exc.fields.items())
    return CommandError(f"{exc.code}: {exc.message}" + (f" ({fields})" if fields else ""))


class Command(BaseCommand):
    help = "Parse, evaluate, train and clean standard addresses. / 地址解析、评测、训练与清理。"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{parse,eval,train,clean}")
        p = sub.add_parser("parse", help="parse one address text (or a file of them), print JSON")
        p.add_argument("text", nargs="?", default=None)
        p.add_argument(
            "--file", default=None, help="parse every line of FILE (UTF-8; - for stdin), print JSON lines"
        )
        p.add_argument("--quiet", action="store_true", help="no progress bar with --file")
        p.add_argument("--rules", action="store_true", help="CCKS labels from the rules even with a model")
        e = sub.add_parser("eval", help="precision/recall/F1 on a BIO file, print JSON")
        e.add_argument("file")
        t = sub.add_parser("train", help="train the address tagger on a BIO file")
        t.add_argument("file")
        t.add_argument("--out", default=None, help="model file (default: in the data folder)")
        c = sub.add_parser("clean", help="match the cleaning queue and find duplicate addresses")
        c.add_argument("--user", default="", help="act as this user (scope); required with --apply")
        c.add_argument("--apply", action="store_true", help="link the exact matches (needs --user)")
        c.add_argument("--json", action="store_true", help="print the summary as JSON")
        c.add_argument("--division", default="", help="only this division subtree (code prefix)")
        c.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "parse":
            self._parse(opts)
        elif action == "eval":
            self._eval(opts)
        elif action == "train":
            self._train(opts)
        else:
            self._clean(opts)

    def _json(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def _parse(self, opts: dict[str, Any]) -> None:
        from ybss.addresses.parsing import parse

        if opts["file"] is not None:
            if opts["text"] is not None:
                raise CommandError("给出地址文本或 --file，不能同时给出 / give a text or --file, not both")
            self._parse_file(opts)
            return
        if opts["text"] is None:
            raise CommandError("请给出地址文本或 --file / give an address text or --file")
        parsed = parse(opts["text"], use_model=not opts["rules"])
        self._json(dataclasses.asdict(parsed))

    def _parse_file(self, opts: dict[str, Any]) -> None:
        """One JSON object a line, in the order of the file's lines (blank lines give empty results),
        through ``parse_many``: a column of addresses parses faster than one text at a time."""
        from ybss.addresses.parsing import parse_many

        name = opts["file"]
        if name == "-":
            lines = [line.rstrip("\r\n") for line in sys.stdin]
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"文件不存在 / no such file: {path}")
            try:
                lines = path.read_text(encoding="utf-8-sig").splitlines()
            except UnicodeDecodeError as exc:
                raise CommandError(f"文件不是 UTF-8 编码 / the file is not UTF-8: {path}") from exc
        results = parse_many(lines, use_model=not opts["rules"])
        bar = tqdm(
            results, total=len(lines), unit="条", desc="解析 parse", disable=opts["quiet"], file=sys.stderr
        )
        for parsed in bar:
            self.stdout.write(json.dumps(dataclasses.asdict(parsed), ensure_ascii=False))

    def _ner(self) -> Any:
        try:
            from ybss.addresses.parsing import ner
        except ImportError as exc:
            raise CommandError("地址模型模块不可用 / the address model module is not installed") from exc
        return ner

    def _eval(self, opts: dict[str, Any]) -> None:
        ner = self._ner()
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {path}")
        try:
            result = ner.evaluate(path)
        except AppError as exc:
            raise _fail(exc) from exc
        self._json(result)

    def _train(self, opts: dict[str, Any]) -> None:
        ner = self._ner()
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {path}")
        out = Path(opts["out"]) if opts["out"] else None
        if out is not None and not out.parent.exists():
            raise CommandError(f"目录不存在 / no such folder: {out.parent}")
        started = time.perf_counter()

        def progress(message: str) -> None:
            sys.stderr.write(f"{message}\n")

        try:
            model = ner.train(path, out, progress=progress)
        except AppError as exc:
            raise _fail(exc) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"模型已保存 / model saved: {model} ({seconds:.1f} s)"))

    def _clean(self, opts: dict[str, Any]) -> None:
        from ybss.addresses import matching
        from ybss.transfer.models import AddressCleaningItem, CleaningState

        actor = None
        if opts["user"]:
            actor = (
                User.objects.select_related("police_unit", "division").filter(username=opts["user"]).first()
            )
            if actor is None:
                raise CommandError(f"用户不存在 / no such user: {opts['user']}")
        if opts["apply"] and actor is None:
            raise CommandError("--apply 需要 --user / --apply needs --user (whose jurisdiction and name)")
        started = time.perf_counter()
        items = AddressCleaningItem.objects.filter(state=CleaningState.PENDING)
        if actor is not None:
            from ybss.org import jurisdiction

            items = jurisdiction.scope(items, actor)
        if opts["division"]:
            items = items.filter(division_id__startswith=opts["division"])
        rows = list(items.order_by("id").values_list("id", "raw_text", "version"))
        states: Counter[str] = Counter()
        exact: list[tuple[int, int, int]] = []  # (item id, version, address id)
        bar = (
            None if opts["quiet"] else tqdm(total=len(rows), desc="匹配 match", unit="item", file=sys.stderr)
        )
        for item_id, text, version in rows:
            result = matching.match(text, actor=actor)
            states[result.state] += 1
            if result.state == matching.MATCHED and result.best is not None:
                exact.append((item_id, version, result.best.address_id))
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        dbar = None if opts["quiet"] else tqdm(desc="查重 duplicates", unit="address", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            if dbar is not None:
                dbar.total = total
                dbar.update(done - dbar.n)

        from ybss.cleaning.services import duplicate_scan_run

        # stored like the web's check, so the duplicates page shows it (scoped to --user if given)
        scan = duplicate_scan_run(
            actor=actor, scoped=actor is not None, division_prefix=opts["division"], progress=progress
        )
        groups = scan.groups
        if dbar is not None:
            dbar.close()
        linked, failed = 0, 0
        if opts["apply"]:
            linked, failed = self._apply(actor, exact, quiet=opts["quiet"])
        summary = {
            "items": len(rows),
            "matched": states[matching.MATCHED],
            "ambiguous": states[matching.AMBIGUOUS],
            "unmatched": states[matching.UNMATCHED],
            "linked": linked,
            "link_failed": failed,
            "duplicate_groups": len(groups),
            "duplicate_addresses": sum(len(g) for g in groups),
            "groups": groups[:50],
            "seconds": round(time.perf_counter() - started, 2),
        }
        if opts["json"]:
            self._json(summary)
            return
        self.stdout.write(
            f"待清理 {summary['items']} 条 / queue items: 匹配 matched {summary['matched']}, "
            f"待定 ambiguous {summary['ambiguous']}, 未匹配 unmatched {summary['unmatched']}"
        )
        if opts["apply"]:
            self.stdout.write(f"已关联 / linked {linked}" + (f"，失败 / failed {failed}" if failed else ""))
        self.stdout.write(
            f"疑似重复地址 {summary['duplicate_groups']} 组，{summary['duplicate_addresses']} 个 / "
            f"duplicate groups: {summary['duplicate_groups']} ({summary['duplicate_addresses']} addresses)"
        )
        self.stdout.write(self.style.SUCCESS(f"用时 / took {summary['seconds']} s"))

    def _apply(self, actor: User, exact: list[tuple[int, int, int]], *, quiet: bool) -> tuple[int, int]:
        """Link each exactly matched item through the cleaning workflow's service."""
        try:
            from ybss.cleaning.services import item_accept
        except ImportError as exc:
            raise CommandError("清理模块不可用 / the cleaning workflow is not installed") from exc
        linked = failed = 0
        for item_id, version, address_id in tqdm(
            exact, desc="关联 link", unit="item", file=sys.stderr, disable=quiet
        ):
            try:
                item_accept(
                    actor=actor,
                    item_id=item_id,
                    expected_version=version,
                    address_id=address_id,
                    reason="ybss address clean --apply",
                )
                linked += 1
            except AppError:
                failed += 1
        return linked, failed
