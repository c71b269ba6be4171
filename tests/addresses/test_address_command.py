"""`ybss address parse | eval | train | clean`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ybss.addresses.models import AddressElement, StandardAddress
from ybss.addresses.parsing import ner
from ybss.transfer.models import AddressCleaningItem


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("address", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_parse_prints_the_parsed_address_as_json(db):
    data = json.loads(run("parse", "合阳县城关镇凤凰路十八号金水小区3栋2单元501室", "--rules"))
    assert data["normalised"] == "陕西省渭南市合阳县城关街道凤凰路18号金水小区3号楼2单元501室"
    assert data["values"]["door_number"] == "18"
    assert {"label": "town", "text": "城关镇", "start": 3, "end": 6} in data["components"]
    assert [s["label"] for s in data["labels"]][:2] == ["district", "town"]


def test_parse_file_prints_one_json_line_per_line(db, tmp_path):
    lines = ["合阳县城关镇凤凰路十八号", "", "合阳县城关镇凤凰路19号", "合阳县城关镇凤凰路十八号"]
    f = tmp_path / "addresses.txt"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = [json.loads(line) for line in run("parse", "--file", str(f), "--rules", "--quiet").splitlines()]
    assert [d["text"] for d in out] == lines
    assert [d["values"].get("door_number") for d in out] == ["18", None, "19", "18"]
    assert out[0] == out[3]


@pytest.mark.parametrize(
    "args",
    [("parse",), ("parse", "x", "--file", "f.txt"), ("parse", "--file", "/no/such/file.txt")],
)
def test_parse_refuses_bad_arguments_with_a_message(db, args):
    with pytest.raises(CommandError):
        run(*args)


def test_parse_file_refuses_a_file_that_is_not_utf8(db, tmp_path):
    f = tmp_path / "gbk.txt"
    f.write_bytes("合阳县城关镇".encode("gbk"))
    with pytest.raises(CommandError, match="UTF-8"):
        run("parse", "--file", str(f))


def test_eval_prints_the_evaluation_of_the_file(monkeypatch, tmp_path):
    bio = tmp_path / "dev.txt"
    bio.write_text("合 B-district\n阳 I-district\n县 I-district\n", encoding="utf-8")
    calls = []

    def evaluate(path, **_kw):
        calls.append(Path(path))
        return {"micro": {"precision": 1.0, "recall": 1.0, "f1": 1.0}, "labels": {}}

    monkeypatch.setattr(ner, "evaluate", evaluate)
    assert json.loads(run("eval", str(bio)))["micro"]["f1"] == 1.0
    assert calls == [bio]


def test_eval_scores_the_rules_on_a_real_file(db, tmp_path, monkeypatch):
    monkeypatch.setattr(ner, "current_tagger", lambda: None)
    bio = tmp_path / "dev.txt"
    lines = ["合 B-district", "阳 I-district", "县 I-district", "凤 B-road", "凰 I-road", "路 I-road"]
    bio.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    result = json.loads(run("eval", str(bio)))
    assert result["micro"]["f1"] == 1.0
    assert result["labels"]["district"]["support"] == 1


def test_eval_of_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError):
        run("eval", str(tmp_path / "nope.txt"))


def test_train_hands_the_file_and_the_output_to_the_model(monkeypatch, tmp_path):
    bio = tmp_path / "train.txt"
    bio.write_text("合 B-district\n", encoding="utf-8")
    seen = {}

    def train(path, out=None, *, progress=None):
        seen.update(path=Path(path), out=out)
        progress("done")
        return out or tmp_path / "model"

    monkeypatch.setattr(ner, "train", train)
    output = run("train", str(bio), "--out", str(tmp_path / "m.model"))
    assert seen == {"path": bio, "out": tmp_path / "m.model"}
    assert "m.model" in output


def test_train_into_a_missing_folder_is_an_error(tmp_path):
    bio = tmp_path / "train.txt"
    bio.write_text("合 B-district\n", encoding="utf-8")
    with pytest.raises(CommandError):
        run("train", str(bio), "--out", str(tmp_path / "no" / "m.model"))


def _queue(county, *texts: str) -> list[AddressCleaningItem]:
    officer = county.a.users["officer"]
    return [
        AddressCleaningItem.objects.create(
            raw_text=t,
            normalised_text=t,
            police_unit=officer.police_unit,
            created_at=timezone.now(),
        )
        for t in texts
    ]


def test_clean_summarises_the_queue_and_the_duplicates(county):
    copy = StandardAddress.objects.get(pk=county.a.door.pk)
    copy.pk, copy.code = None, county.a.door.code + "X"
    copy.save()
    _queue(county, "合阳县城关街道不存在路9号", "合阳县城关镇a测试路1号1单元501室")
    summary = json.loads(run("clean", "--json", "--quiet"))
    assert (summary["items"], summary["matched"], summary["unmatched"]) == (2, 1, 1)
    assert summary["duplicate_groups"] == 1
    assert summary["groups"] == [[county.a.door.pk, copy.pk]]
    assert summary["linked"] == 0


def test_clean_apply_links_the_exact_matches_as_the_user(county):
    matched, unmatched = _queue(county, "合阳县城关镇a测试路1号1单元501室", "合阳县不存在路9号")
    summary = json.loads(run("clean", "--json", "--quiet", "--apply", "--user", "officer_a"))
    assert summary["linked"] == 1
    matched.refresh_from_db()
    unmatched.refresh_from_db()
    assert (matched.state, matched.resolved_address_id) == ("resolved", county.a.room.pk)
    assert unmatched.state == "pending"


def test_clean_apply_needs_a_user(county):
    with pytest.raises(CommandError):
        run("clean", "--apply", "--quiet")


def test_clean_for_an_unknown_user_is_an_error(county):
    with pytest.raises(CommandError):
        run("clean", "--user", "no_such_user", "--quiet")


def test_clean_only_sees_the_users_jurisdiction(county):
    AddressElement.objects.create(kind="41", name="c测试路", division=county.b.village)
    _queue(county, "合阳县甘井镇b测试路1号")
    text = run("clean", "--quiet", "--user", "officer_b")
    assert "0" in text  # officer_b sees none of station a's queue
    summary = json.loads(run("clean", "--json", "--quiet", "--user", "officer_b"))
    assert summary["items"] == 0
