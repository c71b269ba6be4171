"""Bulletins (通报): numbering, the snapshot, issuing and freezing, revisions, roles and scope."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from tests.supervision.bulletin_util import docx_text, make_other_county, pdf_text, xlsx_rows
from ybss.audit.models import AuditEvent, RecordHistory
from ybss.audit.records import record_move
from ybss.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from ybss.quality.models import Problem
from ybss.registry.models import House
from ybss.registry.services import house_verify
from ybss.supervision import bulletins, ranking, rates
from ybss.supervision.bulletin_snapshot import suggest_lines
from ybss.supervision.definitions import MAIN_RATES, RATES
from ybss.supervision.models import Bulletin, BulletinState, SpotCheckItem, SpotCheckRound

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return timezone.localdate()


def _draft(county, **kw) -> Bulletin:
    kw.setdefault("as_of", _today())
    return bulletins.bulletin_draft(actor=county.users["supervisor"], **kw)


def _issued(county, **kw) -> Bulletin:
    return bulletins.bulletin_issue(actor=county.users["supervisor"], bulletin=_draft(county, **kw))


def _verify_house(county, station) -> None:
    house = House.objects.get(pk=station.house.pk)
    house_verify(actor=station.users["officer"], house=house, expected_version=house.version, ok=True)


# --- the snapshot ----------------------------------------------------------------------------


def test_a_draft_holds_the_county_rates_as_the_dashboard_shows_them(county):
    _verify_house(county, county.a)
    sup = county.users["supervisor"]
    b = _draft(county)
    node = rates.node_get(actor=sup, tree="police", code=county.bureau.code)
    shown = rates.rates_at(actor=sup, node=node, day=_today())
    got = {r["code"]: r for r in b.content["rates"]}
    assert [r["code"] for r in b.content["rates"]][:4] == list(MAIN_RATES)
    assert set(got) == set(RATES)
    for code, rate in shown.items():
        assert (got[code]["numerator"], got[code]["denominator"], got[code]["percent"]) == (
            rate.numerator,
            rate.denominator,
            rate.percent,
        )
    assert got["house_verified"]["percent"] == "50.00%"
    assert b.content["previous"] is None and got["house_verified"]["change"] is None


def test_a_draft_holds_the_station_rates_and_the_ranking(county):
    _verify_house(county, county.a)
    sup = county.users["supervisor"]
    b = _draft(county)
    stations = {s["code"]: s for s in b.content["stations"]}
    assert set(stations) == {county.a.station.code, county.b.station.code}
    assert stations[county.a.station.code]["rates"]["house_verified"]["percent"] == "100.00%"
    assert set(stations[county.a.station.code]["rates"]) == set(MAIN_RATES)
    shown = ranking.station_ranking(actor=sup, day=_today())
    assert [(r["rank"], r["name"], r["score_text"]) for r in b.content["ranking"]["rows"]] == [
        (s.rank, s.node.name, f"{s.score:.2f}") for s in shown
    ]
    assert b.content["ranking"]["scheme"]["weights"] == {
        "completeness": 40.0,
        "quality": 30.0,
        "spot_check": 20.0,
        "timeliness": 10.0,
    }


def test_problems_and_spot_checks_are_counted_up_to_the_end_of_the_day(county):
    now = timezone.now()
    before = now - dt.timedelta(days=2)
    a = county.a
    for i, (state, seen) in enumerate((("open", before), ("fixed", before), ("open", now))):
        Problem.objects.create(
            fingerprint=f"b{i}",
            rule="person.phone_invalid",
            category="phone_invalid",
            severity="error",
            record_type="registry.person",
            record_id=a.person.pk,
            state=state,
            first_seen=seen,
            last_seen=seen,
            closed_at=seen if state == "fixed" else None,
            division=a.village,
            police_unit=a.district,
        )
    rnd = SpotCheckRound.objects.create(
        name="r1",
        sample_size=2,
        seed=1,
        created_at=before,
        created_by=county.users["supervisor"],
        division=county.county,
        police_unit=county.bureau,
    )
    checks = ((1, "agrees", before), (2, "fabricated", before), (3, "pending", None), (4, "agrees", now))
    for rid, result, at in checks:
        SpotCheckItem.objects.create(
            round=rnd,
            record_type="registry.house",
            record_id=rid,
            result=result,
            checked_at=at,
            division=a.village,
            police_unit=a.district,
        )
    content = _draft(county, as_of=_today() - dt.timedelta(days=1)).content
    assert content["problems"]["total"] == {
        "total": 2,
        "active": 1,
        "overdue": 0,
        "closed": 1,
        "closure_rate": 50.0,
    }
    [cat] = content["problems"]["by_category"]
    assert (cat["key"], cat["total"]) == ("phone_invalid", 2)
    [station] = content["problems"]["by_station"]
    assert (station["key"], station["name"]) == (a.station.prefix, a.station.name)
    spot = content["spot_checks"]
    assert spot["rounds"] == 1
    assert spot["by_station"] == [
        {
            "code": a.station.prefix,
            "name": a.station.name,
            "checked": 2,
            "passed": 1,
            "wrong_fields": 0,
            "fabricated": 1,
            "percent": "50.00%",
        }
    ]
    rated = {r["code"]: (r["numerator"], r["denominator"]) for r in content["rates"]}
    assert (rated["problem_closed"], rated["spot_check_passed"]) == ((1, 2), (1, 2))


def test_suggested_lines_name_the_top_and_bottom_stations_and_the_biggest_moves():
    rows = [
        {"rank": i + 1, "name": f"S{i + 1}", "score_text": f"{90 - i:.2f}", "code": f"s{i}"} for i in range(8)
    ]
    stations = [
        {"code": "s0", "name": "S1", "change": 4.5},
        {"code": "s1", "name": "S2", "change": -2.0},
        {"code": "s2", "name": "S3", "change": None},
    ]
    lines = suggest_lines({"ranking": {"rows": rows}, "stations": stations, "rates": [], "targets": []})
    praise, criticism = "\n".join(lines["praise"]), "\n".join(lines["criticism"])
    for name in ("S1", "S2", "S3"):
        assert name in praise
    for name in ("S6", "S7", "S8"):
        assert name in criticism and name not in praise
    assert "4.50" in praise and "2.00" in criticism


def test_a_draft_starts_with_the_suggested_wording_and_keeps_given_text(county):
    b = _draft(county)
    assert b.praise == "\n".join(b.content["suggested"]["praise"])
    assert county.a.station.name in b.praise or county.b.station.name in b.praise
    mine = _draft(county, praise="金水派出所工作扎实", remarks="加快核查")
    assert (mine.praise, mine.remarks) == ("金水派出所工作扎实", "加快核查")


# --- numbering -------------------------------------------------------------------------------


def test_bulletins_are_numbered_per_county_and_year(county):
    other = make_other_county()
    today = _today()
    first, second = _draft(county), _issued(county)
    last_year = _draft(county, as_of=today.replace(year=today.year - 1, day=1))
    theirs = bulletins.bulletin_draft(actor=other.supervisor, as_of=today)
    assert [(b.year, b.number) for b in (first, second, last_year, theirs)] == [
        (today.year, 1),
        (today.year, 2),
        (today.year - 1, 1),
        (today.year, 1),
    ]
    assert _draft(county).number == 3
    assert first.title == str(bulletins.DEFAULT_TITLE)


def test_a_title_may_be_given_on_one_line(county):
    assert _draft(county, title="  一标三实专项\n工作通报 ").title == "一标三实专项 工作通报"
    assert _draft(county, title=" \n ").title == str(bulletins.DEFAULT_TITLE)


# --- issuing ---------------------------------------------------------------------------------


def test_issuing_renders_the_files_from_the_content_and_stores_their_digest(county):
    b = _draft(county, praise="表扬金水派出所", criticism="批评甘井派出所", remarks="下步加快核查")
    issued = bulletins.bulletin_issue(actor=county.users["supervisor"], bulletin=b)
    assert issued.state == BulletinState.ISSUED
    assert issued.issued_by == county.users["supervisor"] and issued.issued_at is not None
    assert issued.pdf[:5] == b"%PDF-" and issued.docx[:2] == b"PK" and issued.xlsx[:2] == b"PK"
    assert issued.digest == bulletins.files_digest(issued.pdf, issued.docx, issued.xlsx)
    assert issued.content["praise"] == "表扬金水派出所"
    text = pdf_text(issued.pdf)
    for phrase in ("合阳县公安局", "表扬金水派出所", "批评甘井派出所", "下步加快核查", county.a.station.name):
        assert phrase in text
    event = AuditEvent.objects.filter(object_type="supervision.bulletin", object_id=str(b.pk)).get()
    assert event.action == "export" and event.detail["digest"] == issued.digest
    assert list(
        RecordHistory.objects.filter(record_type="supervision.bulletin", record_id=b.pk).values_list(
            "action", flat=True
        )
    ) == ["create", "status"]


def test_word_and_excel_carry_the_same_rates_as_the_pdf(county):
    _verify_house(county, county.a)
    issued = _issued(county)
    percents = [r["percent"] for r in issued.content["rates"] if r["main"]]
    assert "50.00%" in percents
    text = pdf_text(issued.pdf)
    words = docx_text(issued.docx)
    for r in issued.content["rates"][:4]:
        assert f"{r['label']} | {r['numerator']:,} | {r['denominator']:,} | {r['percent']}" in words
        assert r["percent"] in text
    sheets = xlsx_rows(issued.xlsx)
    first = next(iter(sheets.values()))
    by_label = {row[0]: row for row in first if row and row[0]}
    for r in issued.content["rates"]:
        row = by_label[r["label"]]
        assert (row[1], row[2]) == (r["numerator"], r["denominator"])
        assert row[3] == (None if r["value"] is None else round(r["value"] * 100, 2))
    assert len(sheets) >= 6


def test_an_issued_bulletin_does_not_change_when_the_data_changes(county):
    sup = county.users["supervisor"]
    issued = _issued(county)
    before = Bulletin.objects.get(pk=issued.pk)
    frozen = (before.content, bytes(before.pdf), bytes(before.docx), bytes(before.xlsx), before.digest)
    _verify_house(county, county.a)
    door = county.b.door
    door.refresh_from_db()
    record_move(
        actor=county.b.users["officer"],
        record=door,
        to="voided",
        expected_version=door.version,
        reason="拆除",
    )
    rates.rates_refresh()
    assert _draft(county).content["rates"] != before.content["rates"]  # the data did change
    after = Bulletin.objects.get(pk=issued.pk)
    assert (after.content, bytes(after.pdf), bytes(after.docx), bytes(after.xlsx), after.digest) == frozen
    assert hashlib.sha256(bytes(after.pdf)).hexdigest() == hashlib.sha256(frozen[1]).hexdigest()
    got = bulletins.bulletin_file(actor=sup, pk=issued.pk, kind="pdf")
    assert got.data == frozen[1]
    revised = bulletins.bulletin_revise(actor=sup, bulletin=issued, refresh=True)
    assert (revised.number, revised.version, revised.supersedes_id) == (issued.number, 2, issued.pk)
    assert revised.content["rates"] != before.content["rates"]
    v2 = bulletins.bulletin_issue(actor=sup, bulletin=revised)
    old = Bulletin.objects.get(pk=issued.pk)
    assert (old.state, v2.state) == (BulletinState.SUPERSEDED, BulletinState.ISSUED)
    assert (old.content, bytes(old.pdf), bytes(old.docx), bytes(old.xlsx), old.digest) == frozen
    assert v2.digest != old.digest and v2.content["supersedes"]["version"] == 1


def test_changes_are_against_the_last_issued_bulletin(county):
    first = _issued(county)
    _verify_house(county, county.a)
    rates.rates_refresh()
    second = _draft(county)
    assert second.content["previous"] == {
        "year": first.year,
        "number": first.number,
        "version": 1,
        "as_of": first.as_of.isoformat(),
    }
    houses = next(r for r in second.content["rates"] if r["code"] == "house_verified")
    assert (houses["previous_percent"], houses["percent"], houses["change"]) == ("0.00%", "50.00%", 50.0)
    station = next(s for s in second.content["stations"] if s["code"] == county.a.station.code)
    assert station["rates"]["house_verified"]["change"] == 100.0 and station["change"] == 25.0
    assert county.a.station.name in second.praise  # rose most


def test_an_issued_bulletin_cannot_be_edited_or_issued_again(county):
    sup = county.users["supervisor"]
    issued = _issued(county)
    with pytest.raises(Conflict) as err:
        bulletins.bulletin_update_draft(actor=sup, bulletin=issued, praise="改")
    assert err.value.code == "bulletin.not_draft"
    with pytest.raises(Conflict) as err:
        bulletins.bulletin_issue(actor=sup, bulletin=issued)
    assert err.value.code == "bulletin.not_draft"
    assert Bulletin.objects.get(pk=issued.pk).praise == issued.praise


def test_a_draft_wording_is_edited_and_its_figures_retaken(county):
    sup = county.users["supervisor"]
    b = _draft(county)
    _verify_house(county, county.a)
    rates.rates_refresh()
    b = bulletins.bulletin_update_draft(actor=sup, bulletin=b, praise="新表扬", title="新标题", refresh=True)
    b.refresh_from_db()
    assert (b.praise, b.title) == ("新表扬", "新标题")
    houses = next(r for r in b.content["rates"] if r["code"] == "house_verified")
    assert houses["percent"] == "50.00%"
    assert (b.content["year"], b.content["number"], b.content["version"]) == (b.year, b.number, 1)


def test_a_revision_needs_the_issued_version_and_only_one_is_open(county):
    sup = county.users["supervisor"]
    issued = _issued(county)
    draft = bulletins.bulletin_revise(actor=sup, bulletin=issued, praise="更正")
    assert (draft.state, draft.praise, draft.criticism) == (BulletinState.DRAFT, "更正", issued.criticism)
    assert "issued_at" not in draft.content
    with pytest.raises(Conflict) as err:
        bulletins.bulletin_revise(actor=sup, bulletin=issued)
    assert err.value.code == "bulletin.revision_open"
    with pytest.raises(Conflict) as err:
        bulletins.bulletin_revise(actor=sup, bulletin=draft)
    assert err.value.code == "bulletin.not_issued"
    bulletins.bulletin_issue(actor=sup, bulletin=draft)
    with pytest.raises(Conflict) as err:
        bulletins.bulletin_revise(actor=sup, bulletin=issued)
    assert err.value.code == "bulletin.not_issued"


# --- roles and scope -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["chief", "officer", "collector"])
def test_station_users_may_not_draft_issue_or_revise(county, role):
    user = county.a.users[role]
    issued = _issued(county)
    draft = _draft(county)
    with pytest.raises(Forbidden):
        bulletins.bulletin_draft(actor=user, as_of=_today())
    with pytest.raises(Forbidden):
        bulletins.bulletin_issue(actor=user, bulletin=draft)
    with pytest.raises(Forbidden):
        bulletins.bulletin_revise(actor=user, bulletin=issued)
    with pytest.raises(Forbidden):
        bulletins.bulletin_update_draft(actor=user, bulletin=draft, praise="x")
    assert Bulletin.objects.get(pk=draft.pk).state == BulletinState.DRAFT


@pytest.mark.parametrize("role", ["investigator", "auditor"])
def test_county_roles_without_bulletins_may_not_draft(county, role):
    with pytest.raises(Forbidden):
        bulletins.bulletin_draft(actor=county.users[role], as_of=_today())


def test_a_supervisor_of_a_station_may_not_draft(county):
    user = county.a.users["chief"]
    user.role = "supervisor"
    user.save()
    with pytest.raises(Forbidden):
        bulletins.bulletin_draft(actor=user, as_of=_today())


def test_the_county_admin_may_draft_and_issue(county):
    admin = county.users["admin"]
    b = bulletins.bulletin_issue(actor=admin, bulletin=bulletins.bulletin_draft(actor=admin, as_of=_today()))
    assert b.state == BulletinState.ISSUED


@pytest.mark.parametrize("role", ["chief", "officer"])
def test_station_chiefs_and_officers_read_the_county_bulletins(county, role):
    issued = _issued(county)
    for station in (county.a, county.b):
        user = station.users[role]
        assert [b.pk for b in bulletins.bulletin_list(actor=user)] == [issued.pk]
        assert bulletins.bulletin_get(actor=user, pk=issued.pk).pk == issued.pk
        assert bulletins.bulletin_file(actor=user, pk=issued.pk, kind="xlsx").data == bytes(issued.xlsx)


@pytest.mark.parametrize("who", ["collector", "investigator", "auditor", "nobody"])
def test_collectors_investigators_auditors_and_unassigned_users_read_no_bulletins(county, who):
    issued = _issued(county)
    user = county.a.users[who] if who == "collector" else county.users[who]
    assert list(bulletins.bulletin_list(actor=user)) == []
    for call in (
        lambda: bulletins.bulletin_get(actor=user, pk=issued.pk),
        lambda: bulletins.bulletin_file(actor=user, pk=issued.pk, kind="pdf"),
    ):
        with pytest.raises(NotFound):
            call()


def test_another_countys_bulletins_are_not_found(county):
    other = make_other_county()
    theirs = bulletins.bulletin_issue(
        actor=other.supervisor, bulletin=bulletins.bulletin_draft(actor=other.supervisor, as_of=_today())
    )
    ours = _issued(county)
    sup = county.users["supervisor"]
    assert [b.pk for b in bulletins.bulletin_list(actor=sup)] == [ours.pk]
    assert [b.pk for b in bulletins.bulletin_list(actor=other.chief)] == [theirs.pk]
    for call in (
        lambda: bulletins.bulletin_get(actor=sup, pk=theirs.pk),
        lambda: bulletins.bulletin_file(actor=sup, pk=theirs.pk, kind="pdf"),
        lambda: bulletins.bulletin_revise(actor=sup, bulletin=theirs.pk),
        lambda: bulletins.bulletin_get(actor=county.a.users["chief"], pk=theirs.pk),
    ):
        with pytest.raises(NotFound):
            call()
    assert theirs.content["county"]["name"] == "澄城县公安局"
    assert {s["name"] for s in theirs.content["stations"]} <= {"城关派出所"}


def test_a_draft_has_no_files_and_an_unknown_kind_is_not_found(county):
    sup = county.users["supervisor"]
    draft = _draft(county)
    issued = _issued(county)
    for pk, kind in ((draft.pk, "pdf"), (issued.pk, "html"), (issued.pk, "content")):
        with pytest.raises(NotFound):
            bulletins.bulletin_file(actor=sup, pk=pk, kind=kind)


def test_a_download_is_audited_as_an_export(county):
    issued = _issued(county)
    chief = county.a.users["chief"]
    bulletins.bulletin_file(actor=chief, pk=issued.pk, kind="docx")
    event = AuditEvent.objects.filter(actor=chief).get()
    assert (event.action, event.object_type, event.object_id) == (
        "export",
        "supervision.bulletin",
        str(issued.pk),
    )
    assert event.detail["format"] == "docx"


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"as_of": dt.date.today() + dt.timedelta(days=400)}, "as_of"),
        ({"as_of": dt.date(1999, 12, 31)}, "as_of"),
        ({"as_of": "2026-01-01"}, "as_of"),
        ({"title": "通" * 121}, "title"),
        ({"praise": "x" * 5001}, "praise"),
        ({"criticism": "坏\x00字"}, "criticism"),
    ],
)
def test_bad_input_is_a_field_error_and_saves_nothing(county, kw, field):
    kw = {"as_of": _today(), **kw}
    with pytest.raises(InvalidInput) as err:
        bulletins.bulletin_draft(actor=county.users["supervisor"], **kw)
    assert field in err.value.fields
    assert not Bulletin.objects.exists()


def test_bad_wording_on_a_draft_changes_nothing(county):
    b = _draft(county, praise="原文")
    with pytest.raises(InvalidInput) as err:
        bulletins.bulletin_update_draft(
            actor=county.users["supervisor"], bulletin=b, praise="新", remarks="x" * 5001
        )
    assert set(err.value.fields) == {"remarks"}
    assert Bulletin.objects.get(pk=b.pk).praise == "原文"
