"""Precision and recall of the quality scan on the demo county with known errors injected (issue 6).

A temporary copy of the bench county (SQLite, copied with the backup API; the original is never
touched) is scanned clean first (the baseline), then ``ybss.quality.inject.inject_errors`` writes
``--per-category`` errors of every category into it (with honest decoys and a background of honest
field work) and the scan runs again. Only findings that are NEW relative to the baseline (by
fingerprint: rule, record and key) are scored against the answer key:

    python bench/quality_eval.py [--data-dir /work/benchdata] [--seed 1] [--per-category 40]
                                 [--answers-out key.json] [--json] [--keep]

Targets: precision and recall ≥ 0.95 in every category; duplicates of persons ≥ 0.97 (both).
Printed: per category the answers, the new findings, true positives, precision, recall and
whether the target is met; the time of each scan pass; the false positives and misses in detail
with ``--json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def scan(today: dt.date) -> tuple[list[Any], float]:
    """Every check module over the whole county, unsaved: (findings, seconds)."""
    from ybss.quality.scan import make_context, run_scan

    t0 = time.perf_counter()
    findings = run_scan(make_context(today=today))
    return findings, time.perf_counter() - t0


def detectors() -> set[str]:
    """The categories some installed check module has a rule for."""
    from ybss.quality.scan import all_rules

    return {r.category for r in all_rules()}


def _fmt(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.3f}"


def report(scores: dict[str, Any], covered: set[str]) -> str:
    from ybss.quality.findings import CATEGORIES

    head = (
        f"{'category':<24}{'answers':>8}{'found':>7}{'TP':>6}{'hit':>6}{'precision':>10}{'recall':>8}  target"
    )
    lines = [head, "-" * len(head)]
    for cat in CATEGORIES:
        s = scores[cat]
        if cat not in covered:
            verdict = "no detector"
        else:
            verdict = f"{s.target:.2f} {'met' if s.met else 'MISSED'}"
        lines.append(
            f"{cat:<24}{s.answers:>8}{s.found:>7}{s.true_positives:>6}{s.answers_found:>6}"
            f"{_fmt(s.precision):>10}{_fmt(s.recall):>8}  {verdict}"
        )
    met = sum(1 for c in CATEGORIES if scores[c].met)
    lines.append("-" * len(head))
    lines.append(f"targets met in {met} of {len(CATEGORIES)} categories")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default="/work/benchdata", help="the bench county (SQLite) to copy")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-category", type=int, default=40)
    ap.add_argument("--answers-out", default="", help="write the answer key (JSON) here")
    ap.add_argument("--json", action="store_true", help="print the result as JSON (with FPs and misses)")
    ap.add_argument("--keep", action="store_true", help="keep the injected copy and print where it is")
    ap.add_argument("--no-decoys", action="store_true", help="inject errors only, no honest look-alikes")
    ap.add_argument("--no-background", action="store_true", help="no honest field work around the fakes")
    ap.add_argument("--today", default="", help="the scan's date (YYYY-MM-DD; default today)")
    args = ap.parse_args()

    src = Path(args.data_dir)
    if not (src / "ybss.sqlite3").exists():
        sys.exit(f"no county in {src}: YBSS_DATA_DIR={src} ybss migrate && ybss demo --scale 1 --seed 7")
    from collection_sync_bench import copy_county

    work = Path(tempfile.mkdtemp(prefix="ybss-quality-eval-"))
    t0 = time.perf_counter()
    copy_county(src, work)
    copy_s = time.perf_counter() - t0
    os.environ["YBSS_DATA_DIR"] = str(work)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ybss.settings.dev")
    subprocess.run([sys.executable, "-m", "ybss", "migrate", "-v", "0"], check=True, env=os.environ)
    import django

    django.setup()
    from django.utils import timezone

    from ybss.quality.inject import dumps_key, inject_errors, match

    today = dt.date.fromisoformat(args.today) if args.today else timezone.localdate()
    covered = detectors()
    log = sys.stderr
    print(f"copy of {src} in {work} ({copy_s:.1f} s); scanning the clean county…", file=log)
    before, base_s = scan(today)
    print(f"baseline: {len(before)} findings in {base_s:.1f} s; injecting…", file=log)
    avoid = {(f.record_type, f.record_id) for f in before} | {tuple(r) for f in before for r in f.related}
    t0 = time.perf_counter()
    key = inject_errors(
        seed=args.seed,
        per_category=args.per_category,
        avoid=avoid,
        decoys=not args.no_decoys,
        background=not args.no_background,
        today=today,
    )
    inject_s = time.perf_counter() - t0
    if args.answers_out:
        Path(args.answers_out).write_text(dumps_key(key), encoding="utf-8")
    print(f"injected {len(key['answers'])} answers in {inject_s:.1f} s; scanning again…", file=log)
    after, after_s = scan(today)
    known = {f.fingerprint for f in before}
    new = [f for f in after if f.fingerprint not in known]
    scores = match(key["answers"], new)
    decoys = {(d["record_type"], d["record_id"]): d["kind"] for d in key["decoys"]}
    on_decoys = Counter(
        (f.category, decoys[(f.record_type, f.record_id)])
        for f in new
        if (f.record_type, f.record_id) in decoys
    )
    if args.json:
        out = {
            "seed": args.seed,
            "per_category": args.per_category,
            "seconds": {"copy": copy_s, "baseline_scan": base_s, "inject": inject_s, "scan": after_s},
            "baseline_findings": len(before),
            "findings_after": len(after),
            "new_findings": len(new),
            "shortfall": key["shortfall"],
            "submissions": key["submissions"],
            "decoys": dict(Counter(d["kind"] for d in key["decoys"])),
            "findings_on_decoys": {f"{c}/{k}": n for (c, k), n in on_decoys.items()},
            "categories": {
                cat: {
                    "answers": s.answers,
                    "found": s.found,
                    "true_positives": s.true_positives,
                    "answers_found": s.answers_found,
                    "precision": s.precision,
                    "recall": s.recall,
                    "target": s.target,
                    "met": s.met,
                    "detector": cat in covered,
                    "false_positives": [
                        {"rule": f.rule, "record": [f.record_type, f.record_id], "related": f.related}
                        for f in s.false_positives[:50]
                    ],
                    "missed": [
                        {"record": [a["record_type"], a["record_id"]], "variant": a.get("variant")}
                        for a in s.missed[:50]
                    ],
                    "missed_by_variant": dict(Counter(a.get("variant") for a in s.missed)),
                }
                for cat, s in scores.items()
            },
        }
        print(json.dumps(out, ensure_ascii=False, indent=1, default=str))
    else:
        print(report(scores, covered))
        print(
            f"\nscan time: clean county {base_s:.1f} s, injected copy {after_s:.1f} s "
            f"(findings {len(before)} → {len(after)}, new {len(new)}); injection {inject_s:.1f} s"
        )
        if key["shortfall"]:
            print(f"answers short of --per-category: {key['shortfall']}")
        if on_decoys:
            print(
                "new findings on decoys: "
                + ", ".join(f"{c}/{k} {n}" for (c, k), n in sorted(on_decoys.items()))
            )
        misses = {
            c: dict(Counter(a.get("variant") for a in s.missed))
            for c, s in scores.items()
            if s.missed and c in covered
        }
        if misses:
            print("missed, by variant: " + "; ".join(f"{c} {v}" for c, v in misses.items()))
        fps = {
            c: dict(Counter(f.rule for f in s.false_positives))
            for c, s in scores.items()
            if s.false_positives
        }
        if fps:
            print("false positives, by rule: " + "; ".join(f"{c} {v}" for c, v in fps.items()))
    if args.keep:
        print(f"injected copy kept in {work}", file=log)
    else:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
