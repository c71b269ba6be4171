"""Results feed the bulletins: statistics by station and period, and the 服务实战战果 section of
the snapshot and of the rendered PDF, Word and Excel files."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.translation import override

from tests.supervision.bulletin_util import docx_text, pdf_text, xlsx_rows
from ybss.casework import lead_reports, selectors, services
from ybss.casework.models import Result
from ybss.supervision import bulletin_render, bulletins

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return timezone.localdate()


def test_statistics_count_results_leads_and_cases_by_station(county):
    officer_a, chief_b = county.a.users["officer"], county.b.users["chief"]
    services.result_record(actor=officer_a, category="fugitive", count=2, occurred_on=_today())
    services.result_record(actor=chief_b, category="fugitive", count=1, occurred_on=_today())
    services.result_record(actor=chief_b, category="ammunition", count=623, occurred_on=_today())
    lead_reports.lead_tip_create(actor=officer_a, summary="举报")
    services.case_create(actor=chief_b, title="盗窃案", opened_on=_today())
    stats = selectors.casework_statistics(actor=county.users["supervisor"], start=_today(), end=_today())
    a, b = county.a.station.prefix, county.b.station.prefix
    assert stats["stations"][a]["results"]["fugitive"] == 2 and stats["stations"][a]["leads"] == 1
    assert stats["stations"][b]["results"]["ammunition"] == 623 and stats["stations"][b]["cases_opened"] == 1
    assert stats["results"]["fugitive"] == 3 and stats["leads_by_source"]["tip"] == 1
    assert stats["leads_by_state"]["new"] == 1


def test_statistics_are_scoped_and_bounded_by_the_period(county):
    services.result_record(actor=county.a.users["officer"], category="helped", count=5, occurred_on=_today())
    old = services.result_record(
        actor=county.b.users["officer"], category="helped", count=7, occurred_on=_today()
    )
    Result.objects.filter(pk=old.pk).update(occurred_on=_today() - dt.timedelta(days=40))
    mine = selectors.casework_statistics(actor=county.a.users["chief"], start=_today(), end=_today())
    assert list(mine["stations"]) == [county.a.station.prefix] and mine["results"]["helped"] == 5
    county_wide = selectors.casework_statistics(
        actor=county.users["supervisor"], start=_today() - dt.timedelta(days=30), end=_today()
    )
    assert county_wide["results"]["helped"] == 5


def test_a_result_in_the_period_shows_in_the_snapshot_and_the_files(county):
    services.result_record(
        actor=county.a.users["officer"], category="fugitive", count=3, occurred_on=_today()
    )
    lead_reports.lead_tip_create(actor=county.b.users["officer"], summary="群众举报")
    with override("zh-hans"):
        draft = bulletins.bulletin_draft(actor=county.users["supervisor"], as_of=_today())
        issued = bulletins.bulletin_issue(actor=county.users["supervisor"], bulletin=draft)
        doc = bulletin_render.document(issued.content)
    cw = issued.content["casework"]
    assert cw["total"]["fugitive"] == 3 and cw["end"] == _today().isoformat()
    row = next(r for r in cw["by_station"] if r["code"] == county.a.station.prefix)
    assert row["name"] == county.a.station.name and row["results"]["fugitive"] == 3
    assert cw["leads"]["total"] == 1
    heading = doc["casework"]["heading"]
    label = next(c["label"] for c in cw["categories"] if c["code"] == "fugitive")
    text = pdf_text(issued.pdf)
    section = text[text.index(heading) : text.index(doc["headings"][4])]
    assert county.a.station.name in section and label in section
    assert heading in docx_text(issued.docx)
    sheets = xlsx_rows(issued.xlsx)
    rows = sheets[bulletin_render._sheet_title(heading)]
    col = rows[0].index(label)
    by_name = {r[0]: r for r in rows if r and r[0]}
    assert by_name[county.a.station.name][col] == 3


def test_a_result_before_the_period_is_left_out(county):
    services.result_record(actor=county.a.users["officer"], category="helped", count=4, occurred_on=_today())
    first = bulletins.bulletin_issue(
        actor=county.users["supervisor"],
        bulletin=bulletins.bulletin_draft(
            actor=county.users["supervisor"], as_of=_today() - dt.timedelta(days=1)
        ),
    )
    assert first.content["casework"]["total"]["helped"] == 0  # recorded for today, after that bulletin
    second = bulletins.bulletin_draft(actor=county.users["supervisor"], as_of=_today())
    assert second.content["casework"]["start"] == _today().isoformat()
    assert second.content["casework"]["total"]["helped"] == 4


def test_a_bulletin_made_before_the_section_renders_as_before(county):
    issued = bulletins.bulletin_issue(
        actor=county.users["supervisor"],
        bulletin=bulletins.bulletin_draft(actor=county.users["supervisor"], as_of=_today()),
    )
    content = {k: v for k, v in issued.content.items() if k != "casework"}
    doc = bulletin_render.document(content)
    assert doc["casework"] is None and len(doc["headings"]) == 6
    assert bulletin_render.render_xlsx(content)[:2] == b"PK"
