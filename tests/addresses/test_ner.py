"""The trainable address tagger: BIO reading, entity-level scoring, training, loading, tagging.

Tests that learn from the public labelled set read it from ../shared at run time and are skipped
when it is absent; neither the data nor a model trained on it is committed. The full-data F1 on
the dev split is a benchmark (bench/address_ner_bench.py, docs/benchmarks.md), not a test: full
training takes minutes. ``test_a_model_trained_on_a_subset_reaches_its_floor`` keeps a bound
that a broken feature or trainer fails.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ybss.addresses.parsing import ner
from ybss.addresses.parsing.ner_entities import entities_of, score
from ybss.addresses.parsing.ner_features import tokenize
from ybss.addresses.parsing.ner_io import BioFormatError, parse_bio
from ybss.addresses.parsing.types import Span

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "address-parsing"
needs_data = pytest.mark.skipif(not (DATA / "train.txt").is_file(), reason="../shared address set absent")

TINY = """浙 B-prov
江 I-prov
省 I-prov
文 B-road
三 I-road
路 I-road
12 B-roadno
号 I-roadno

西 B-poi
溪 I-poi
花 B-subpoi
园 I-subpoi
3 B-houseno
幢 I-houseno
"""


class FixedTagger:
    """Answers from a table: text → spans."""

    path = None

    def __init__(self, answers: dict[str, list[Span]]) -> None:
        self.answers = answers

    def tag(self, text: str) -> list[Span]:
        return self.answers[text]


def _span(text: str, label: str, start: int, end: int) -> Span:
    return Span(label=label, text=text[start:end], start=start, end=end)


# --- reading -------------------------------------------------------------------------------


def test_read_bio_spreads_a_multi_character_token_and_lower_cases_labels(tmp_path):
    bio = tmp_path / "x.txt"
    bio.write_text("\ufeff602 B-roadNo\n号 I-roadno\n\n\n开 B-devZone\n发 I-devZone\n区 I-devzone\n", "utf-8")
    assert ner.read_bio(bio) == [
        ("602号", ["B-roadno", "I-roadno", "I-roadno", "I-roadno"]),
        ("开发区", ["B-devzone", "I-devzone", "I-devzone"]),
    ]


def test_read_bio_reads_bioes_and_o_tags():
    assert parse_bio("文 S-road\n- O\n三 B-poi\n路 E-poi\n") == [
        ("文-三路", ["B-road", "O", "B-poi", "I-poi"])
    ]


@pytest.mark.parametrize(
    ("content", "line"),
    [("浙 B-prov\n江\n", 2), ("浙 B-prov\n\n江 X-prov\n", 3), ("浙 B-\n", 1), ("浙 B prov\n", 1)],
)
def test_read_bio_names_the_first_bad_line(tmp_path, content, line):
    bio = tmp_path / "bad.txt"
    bio.write_text(content, "utf-8")
    with pytest.raises(BioFormatError) as err:
        ner.read_bio(bio)
    assert err.value.code == "bio_format"
    assert f"{line}" in str(err.value.fields["file"][0])


def test_read_bio_refuses_missing_empty_and_non_utf8_files(tmp_path):
    (tmp_path / "empty.txt").write_text("\n\n", "utf-8")
    (tmp_path / "gbk.txt").write_bytes("浙 B-prov\n".encode("gbk"))
    for name in ("missing.txt", "empty.txt", "gbk.txt"):
        with pytest.raises(BioFormatError) as err:
            ner.read_bio(tmp_path / name)
        assert list(err.value.fields) == ["file"]


# --- scoring -------------------------------------------------------------------------------


def test_an_i_tag_without_its_b_opens_an_entity_as_in_conlleval():
    tags = ["I-road", "I-road", "B-roadno", "I-poi", "O", "I-poi", "B-poi", "I-poi"]
    assert entities_of(tags) == [
        ("road", 0, 2),
        ("roadno", 2, 3),
        ("poi", 3, 4),
        ("poi", 5, 6),
        ("poi", 6, 8),
    ]


def test_score_counts_exact_label_and_span_matches():
    gold = [{("road", 0, 3), ("roadno", 3, 5)}, {("poi", 0, 2)}]
    pred = [{("road", 0, 3), ("roadno", 3, 4)}, {("poi", 0, 2), ("houseno", 2, 3)}]
    result = score(gold, pred)
    assert result["micro"] == {"precision": 0.5, "recall": 0.6667, "f1": 0.5714, "support": 3, "predicted": 4}
    assert result["labels"]["roadno"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "support": 1,
        "predicted": 1,
    }
    assert result["labels"]["houseno"]["support"] == 0
    assert result["labels"]["road"]["f1"] == 1.0


def test_evaluate_reports_micro_and_per_label_scores_of_a_tagger(tmp_path):
    bio = tmp_path / "dev.txt"
    bio.write_text(TINY, "utf-8")
    a, b = "浙江省文三路12号", "西溪花园3幢"
    tagger = FixedTagger(
        {
            a: [_span(a, "prov", 0, 3), _span(a, "road", 3, 6), _span(a, "roadno", 6, 9)],
            # poi swallows the subpoi: one miss, one wrong span
            b: [_span(b, "poi", 0, 4), _span(b, "houseno", 4, 6)],
        }
    )
    result = ner.evaluate(bio, tagger=tagger)
    assert result["micro"] == {"precision": 0.8, "recall": 0.6667, "f1": 0.7273, "support": 6, "predicted": 5}
    assert result["labels"]["poi"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "support": 1,
        "predicted": 1,
    }
    assert result["labels"]["subpoi"]["recall"] == 0.0
    assert result["labels"]["roadno"]["f1"] == 1.0
    assert result["sentences"] == 2
    assert result["model"] == "in-memory"
    assert {"seconds", "addresses_per_second"} <= set(result)


def test_evaluate_without_a_model_scores_the_rules(db, tmp_path, settings):
    settings.DATA_DIR = tmp_path  # no model installed here
    bio = tmp_path / "dev.txt"
    bio.write_text(TINY, "utf-8")
    result = ner.evaluate(bio)
    assert result["model"] == "rules"
    assert result["micro"]["support"] == 6


# --- training, loading, tagging ---------------------------------------------------------------


@pytest.fixture(scope="module")
def small_model(tmp_path_factory) -> Path:
    """A model trained on the first 500 addresses of the training split (a few seconds)."""
    if not (DATA / "train.txt").is_file():
        pytest.skip("../shared address set absent")
    sentences = ner.read_bio(DATA / "train.txt")[:500]
    folder = tmp_path_factory.mktemp("ner")
    bio = folder / "train500.txt"
    bio.write_text(_to_bio(sentences), "utf-8")
    messages: list[str] = []
    path = ner.train(bio, folder / "small.model", progress=messages.append, max_iterations=60)
    assert len(messages) == 2
    return path


def _to_bio(sentences) -> str:
    lines = []
    for text, tags in sentences:
        lines.extend(f"{c} {t}" for c, t in zip(text, tags, strict=True))
        lines.append("")
    return "\n".join(lines) + "\n"


@needs_data
def test_a_trained_model_loads_tags_and_round_trips(small_model, tmp_path):
    tagger = ner.Tagger.load(small_model)
    assert tagger.meta["addresses"] == 500 and tagger.meta["source"] == "train500.txt"
    text = "浙江省杭州市西湖区文三路100号"
    spans = tagger.tag(text)
    assert [(s.label, s.text) for s in spans][:3] == [
        ("prov", "浙江省"),
        ("city", "杭州市"),
        ("district", "西湖区"),
    ]
    again = ner.Tagger.load(tagger.save(tmp_path / "copy.model"))
    sample = [t for t, _tags in ner.read_bio(DATA / "dev.txt")[:50]]
    assert [again.tag(t) for t in sample] == [tagger.tag(t) for t in sample]


@needs_data
def test_spans_point_into_the_text_as_given(small_model):
    tagger = ner.Tagger.load(small_model)
    text = "浙江省杭州市西湖區文三路１２３號"  # traditional characters and full-width digits
    spans = tagger.tag(text)
    assert all(text[s.start : s.end] == s.text for s in spans)
    assert spans[0] == Span("prov", "浙江省", 0, 3)
    assert any(s.text == "１２３號" for s in spans)
    assert tagger.tag("") == [] and tagger.tag("   ") == []


@needs_data
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from("浙江省杭州市路号幢单元室A-1 ０９區_，\t组村"), max_size=40))
def test_any_text_gives_ordered_disjoint_spans_of_itself(small_model, text):
    spans = ner.current_tagger(small_model).tag(text)
    ends = [0]
    for s in spans:
        assert text[s.start : s.end] == s.text and s.text.strip()
        assert s.start >= ends[-1] and s.end > s.start
        ends.append(s.end)


@needs_data
def test_current_tagger_caches_the_model_and_reloads_a_changed_file(small_model, tmp_path):
    path = tmp_path / "address_ner.model"
    path.write_bytes(small_model.read_bytes())
    first = ner.current_tagger(path)
    assert first is not None and ner.current_tagger(path) is first
    tagger = ner.Tagger.load(path)
    tagger.meta["note"] = "retrained"
    tagger.save(path)
    stamp = time.time() + 5  # a new file within the same clock tick must still count as changed
    os.utime(path, (stamp, stamp))
    second = ner.current_tagger(path)
    assert second is not first and second.meta["note"] == "retrained"


def test_current_tagger_is_none_without_a_model_or_with_a_broken_one(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    assert ner.current_tagger() is None
    broken = ner.default_model_path()
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"not a model")
    assert ner.current_tagger() is None


@needs_data
def test_a_model_of_another_feature_version_is_refused(small_model, tmp_path):
    tagger = ner.Tagger.load(small_model)
    tagger.meta["features"] = -1
    old = tagger.save(tmp_path / "old.model")
    with pytest.raises(ValueError, match="retrain"):
        ner.Tagger.load(old)
    assert ner.current_tagger(old) is None


def test_training_needs_labelled_addresses(tmp_path):
    bio = tmp_path / "one.txt"
    bio.write_text("浙 B-prov\n江 I-prov\n", "utf-8")
    with pytest.raises(BioFormatError):
        ner.train(bio, tmp_path / "m.model")
    assert not (tmp_path / "m.model").exists()


def test_tokens_keep_offsets_and_group_numbers_and_letters():
    tokens = tokenize("Ａ座１２３-4室")
    assert [(t.text, t.start, t.end, t.kind) for t in tokens] == [
        ("A", 0, 1, "A"),
        ("座", 1, 2, "C"),
        ("123", 2, 5, "D"),
        ("-", 5, 6, "C"),
        ("4", 6, 7, "D"),
        ("室", 7, 8, "C"),
    ]


@needs_data
@pytest.mark.slow
def test_a_model_trained_on_a_subset_reaches_its_floor(tmp_path):
    """3,000 training addresses (about 30 s), scored on the first 1,000 dev addresses: measured
    0.8757. A plain character CRF trained the same way scores 0.8586 there, so the floor fails
    when the lexicon, trigger or repeat features stop working."""
    sentences = ner.read_bio(DATA / "train.txt")[:3000]
    tagger = ner.fit(sentences)
    dev = tmp_path / "dev1000.txt"
    dev.write_text(_to_bio(ner.read_bio(DATA / "dev.txt")[:1000]), "utf-8")
    result = ner.evaluate(dev, tagger=tagger)
    assert result["micro"]["f1"] >= 0.865, result["micro"]
