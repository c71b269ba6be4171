"""`ybss quality scan [--json] [--police-unit CODE] [--dry-run]`: run every quality check over the
base (or one police unit's subtree), update the problem ledger, and print what was found — record,
its 来源编号, category, rule and score — with a summary by category. ``--dry-run`` leaves the
ledger alone. Progress goes to stderr; the report to stdout (JSON lines with ``--json``).
Scheduled use: ``ybss quality scan --quiet`` from cron / a systemd timer, nightly.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm


class Command(BaseCommand):
    help = "质量审查 / quality checks: ybss quality scan [--json] [--police-unit CODE] [--dry-run]"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="run every check and update the problem ledger")
        scan.add_argument("--json", action="store_true", help="one JSON object per finding, then a summary")
        scan.add_argument("--police-unit", default="", help="only this police unit's subtree (code prefix)")
        scan.add_argument("--dry-run", action="store_true", help="report only; leave the ledger alone")
        scan.add_argument("--quiet", action="store_true", help="print the summary only")
        scan.add_argument("--limit", type=int, default=0, help="print at most N findings (0 = all)")
        scan.add_argument(
            "--answers", default="", help="an answer key (from `quality inject`): print precision/recall"
        )
        scan.add_argument(
            "--baseline",
            default="",
            help="--json output of a scan before injection: only new findings are scored",
        )
        inject = sub.add_parser(
            "inject", help="plant known errors of every category (a COPY of the county only)"
        )
        inject.add_argument("--seed", type=int, default=1)
        inject.add_argument("--per-category", type=int, default=40)
        inject.add_argument("--answers-out", required=True, help="where to write the answer key (JSON)")
        inject.add_argument("--yes", action="store_true", help="confirm: this database is a disposable copy")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "inject":
            return self.inject(opts)
        if opts["action"] != "scan":
            raise CommandError(f"unknown action {opts['action']}")
        from ybss.quality import scan as scanning
        from ybss.quality.findings import category_label

        prefix = (opts["police_unit"] or "").strip()
        if prefix and not prefix.isdigit():
            raise CommandError("--police-unit 应为警务单位代码 / must be a police-unit code prefix")
        bar = tqdm(
            total=len(scanning.CHECK_MODULES) + 1,
            desc="质量审查 scan",
            unit="step",
            file=sys.stderr,
            disable=opts["quiet"],
        )

        def step(label: str) -> None:
            bar.set_postfix_str(label)
            if label in {m.rsplit(".", 1)[-1] for m in scanning.CHECK_MODULES} | {"ledger"}:
                bar.update(1)

        t0 = time.perf_counter()
        if opts["dry_run"]:
            ctx = scanning.make_context(police_prefix=prefix, progress=step)
            findings = scanning.run_scan(ctx)
            counts: dict[str, int] = {}
        else:
            scan, findings = scanning.scan_and_record(police_prefix=prefix, progress=step)
            counts = {"opened": scan.opened, "fixed": scan.fixed}
        bar.close()
        seconds = time.perf_counter() - t0
        by_cat = Counter(f.category for f in findings)
        shown = findings if not opts["limit"] else findings[: opts["limit"]]
        refs = _source_refs(shown) if not opts["quiet"] else {}
        if opts["answers"]:
            self.score(findings, opts["answers"], opts["baseline"])
            return
        if opts["json"]:
            for f in [] if opts["quiet"] else shown:
                self.stdout.write(
                    json.dumps(
                        {
                            "category": f.category,
                            "fingerprint": f.fingerprint,
                            "rule": f.rule,
                            "record_type": f.record_type,
                            "record_id": f.record_id,
                            "source_ref": refs.get((f.record_type, f.record_id), ""),
                            "score": round(f.score, 3),
                            "severity": f.severity,
                            "related": [list(r) for r in f.related],
                            "collector_id": f.collector_id,
                            "evidence": f.evidence,
                        },
                        ensure_ascii=False,
                        default=str,
                    )
                )
            self.stdout.write(
                json.dumps(
                    {
                        "summary": dict(by_cat),
                        "findings": len(findings),
                        "seconds": round(seconds, 2),
                        **counts,
                    },
                    ensure_ascii=False,
                )
            )
            return
        if not opts["quiet"]:
            for f in shown:
                ref = refs.get((f.record_type, f.record_id), "")
                label = category_label(f.category)
                self.stdout.write(
                    f"{f.record_type}:{f.record_id}\t{ref or '-'}\t{label}\t{f.rule}\t{f.score:.2f}"
                )
        self.stdout.write(
            f"共 {len(findings)} 条发现 / findings in {seconds:.1f} s" + (f" · {counts}" if counts else "")
        )
        for cat, n in sorted(by_cat.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {category_label(cat)} ({cat}): {n}")

    def inject(self, opts: dict[str, Any]) -> None:
        """Plant known errors into this (copied!) database and write the answer key."""
        from pathlib import Path

        from ybss.quality.inject import dumps_key, inject_errors

        if not opts["yes"]:
            raise CommandError(
                "这会写入虚假数据，只能用于副本；确认请加 --yes / writes fake records: copies only, add --yes"
            )
        key = inject_errors(seed=opts["seed"], per_category=opts["per_category"])
        Path(opts["answers_out"]).write_text(dumps_key(key), encoding="utf-8")
        self.stdout.write(f"injected {len(key['answers'])} known errors; answers in {opts['answers_out']}")

    def score(self, findings: list[Any], answers_path: str, baseline_path: str) -> None:
        """Precision and recall per category against an answer key (new findings only)."""
        from pathlib import Path

        from ybss.quality.findings import CATEGORIES
        from ybss.quality.inject import match

        try:
            key = json.loads(Path(answers_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read the answer key: {exc}") from exc
        known: set[str] = set()
        if baseline_path:
            for line in Path(baseline_path).read_text(encoding="utf-8").splitlines():
                row = json.loads(line) if line.strip() else {}
                if "fingerprint" in row:
                    known.add(row["fingerprint"])
        new = [f for f in findings if f.fingerprint not in known]
        scores = match(key["answers"], new)
        self.stdout.write(f"{'category':<24}{'answers':>8}{'found':>7}{'precision':>11}{'recall':>8}  target")
        met = 0
        for cat in CATEGORIES:
            s = scores[cat]
            p = f"{s.precision:.3f}" if s.precision is not None else "—"
            r = f"{s.recall:.3f}" if s.recall is not None else "—"
            met += s.met
            self.stdout.write(
                f"{cat:<24}{s.answers:>8}{s.found:>7}{p:>11}{r:>8}  {s.target} {'met' if s.met else 'MISSED'}"
            )
        self.stdout.write(
            f"targets met in {met} of {len(CATEGORIES)} categories ({len(new)} new findings scored)"
        )


def _source_refs(findings: list[Any]) -> dict[tuple[str, int], str]:
    from ybss.quality.scan import _stamps

    return {k: v[2] for k, v in _stamps(findings).items()}
