"""Benchmark the address tagger (``ybss.addresses.parsing.ner``) against a plain character CRF.

    python bench/address_ner_bench.py [--train FILE] [--dev FILE] [--limit N] [--no-baseline]
        [--out MODEL]

The issue-4 "Must show" for the labelled set: entity-level (exact span and label) micro F1 on the
dev split (target ≥ 0.92). Trains ybss's tagger on ``--train`` (default the public split in
../shared) and scores it on ``--dev``; beside it, in the same run and on the same files, a plain
character CRF (the same CRFsuite trainer and regularisation, features = the characters in a ±2
window and their bigrams, no lexicon, gazetteer, triggers or repeats), which is what "a
character CRF scores about 0.87" refers to. Prints training time, F1, per-label F1 and tagging
throughput (addresses/s on one core), then the whole result as JSON.

``--limit N`` trains on the first N training addresses only (quick runs). ``--out`` keeps the
trained model (otherwise it is written to a temporary folder and dropped). The data and models
stay outside the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".." / "shared" / "data" / "address-parsing"
TARGET_F1 = 0.92


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ybss.settings.dev")
    os.environ.setdefault("YBSS_DATA_DIR", tempfile.mkdtemp(prefix="ybss-ner-bench-"))
    import django

    django.setup()


class PlainCharCRF:
    """The baseline: a CRF over characters with a ±2 window of unigrams and bigrams."""

    def __init__(self, crf_bytes: bytes) -> None:
        import pycrfsuite

        self.crf = pycrfsuite.Tagger()
        self.crf.open_inmemory(crf_bytes)
        self.path = "plain character CRF"

    @staticmethod
    def features(text: str) -> list[list[str]]:
        n = len(text)

        def c(i: int) -> str:
            return text[i] if 0 <= i < n else ("<s>" if i < 0 else "</s>")

        return [
            [
                "b",
                *(f"c{k}={c(i + k)}" for k in range(-2, 3)),
                *(f"c{k}{k + 1}={c(i + k)}{c(i + k + 1)}" for k in range(-2, 2)),
            ]
            for i in range(n)
        ]

    @classmethod
    def fit(cls, sentences: list[tuple[str, list[str]]], options: dict[str, Any]) -> PlainCharCRF:
        import pycrfsuite

        trainer = pycrfsuite.Trainer(verbose=False)
        for text, tags in sentences:
            if text:
                trainer.append(cls.features(text), tags)
        trainer.set_params(
            {
                "c1": options["c1"],
                "c2": options["c2"],
                "max_iterations": options["max_iterations"],
                "feature.possible_transitions": True,
            }
        )
        with tempfile.TemporaryDirectory() as tmp:
            trainer.train(str(Path(tmp) / "crf.bin"))
            return cls((Path(tmp) / "crf.bin").read_bytes())

    def tag(self, text: str) -> list[Any]:
        from ybss.addresses.parsing.ner_entities import entities_of
        from ybss.addresses.parsing.types import Span

        if not text:
            return []
        tags = self.crf.tag(self.features(text))
        return [Span(label, text[a:b], a, b) for label, a, b in entities_of(tags)]


def _row(name: str, train_s: float, result: dict[str, Any]) -> str:
    m = result["micro"]
    return (
        f"{name:<28} {train_s:>8.1f} {m['precision']:>7.4f} {m['recall']:>7.4f} {m['f1']:>7.4f} "
        f"{result['addresses_per_second']:>9.0f}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=Path, default=DATA / "train.txt")
    ap.add_argument("--dev", type=Path, default=DATA / "dev.txt")
    ap.add_argument("--limit", type=int, default=0, help="train on the first N addresses only")
    ap.add_argument("--no-baseline", action="store_true", help="skip the plain character CRF")
    ap.add_argument("--out", type=Path, help="keep the trained model here")
    args = ap.parse_args()
    _setup()
    from ybss.addresses.parsing import ner

    sentences = ner.read_bio(args.train)
    if args.limit:
        sentences = sentences[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        train_file = args.train
        if args.limit:
            train_file = Path(tmp) / "train.txt"
            train_file.write_text(
                "".join(
                    "".join(f"{c} {t}\n" for c, t in zip(x, y, strict=True)) + "\n" for x, y in sentences
                ),
                "utf-8",
            )
        out = args.out or Path(tmp) / "address_ner.model"
        started = time.perf_counter()
        model = ner.train(train_file, out, progress=lambda m: print("  " + m, file=sys.stderr))
        ours_s = time.perf_counter() - started
        tagger = ner.Tagger.load(model)
        ours = ner.evaluate(args.dev, tagger=tagger)
    rows = [("ybss tagger (CRF + lexicon)", ours_s, ours)]
    report: dict[str, Any] = {
        "train": str(args.train),
        "train_addresses": len(sentences),
        "dev": str(args.dev),
        "ybss": {"train_seconds": round(ours_s, 1), "options": tagger.meta["options"], **ours},
    }
    if not args.no_baseline:
        started = time.perf_counter()
        plain = PlainCharCRF.fit(sentences, ner.DEFAULTS)
        plain_s = time.perf_counter() - started
        base = ner.evaluate(args.dev, tagger=plain)
        rows.append(("BASELINE plain char CRF", plain_s, base))
        report["baseline_plain_char_crf"] = {"train_seconds": round(plain_s, 1), **base}

    print(
        f"\ntrain: {args.train} ({len(sentences)} addresses)   "
        f"dev: {args.dev} ({ours['sentences']} addresses)"
    )
    print(f"{'model':<28} {'train s':>8} {'P':>7} {'R':>7} {'F1':>7} {'addr/s':>9}")
    for name, secs, result in rows:
        print(_row(name, secs, result))
    print(f"target micro F1 ≥ {TARGET_F1}: {'met' if ours['micro']['f1'] >= TARGET_F1 else 'NOT met'}")
    print("\nper label (ybss tagger): label support P R F1" + ("   | baseline F1" if len(rows) > 1 else ""))
    for label, s in sorted(ours["labels"].items(), key=lambda kv: -kv[1]["support"]):
        extra = ""
        if len(rows) > 1:
            extra = f"   | {rows[1][2]['labels'].get(label, {}).get('f1', 0.0):.4f}"
        print(f"  {label:<10} {s['support']:>6} {s['precision']:.4f} {s['recall']:.4f} {s['f1']:.4f}{extra}")
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
