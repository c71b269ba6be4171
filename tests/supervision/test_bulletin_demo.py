"""The bulletin of the full demo county (scale 1) says what the dashboard says for the same day."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.supervision.bulletin_util import pdf_pages_not_blank, pdf_text
from ybss.demo.generate import generate
from ybss.demo.load import demo_password_hash, load
from ybss.org.models import User
from ybss.supervision import bulletin_render, bulletins, ranking, rates
from ybss.supervision.definitions import MAIN_RATES

SEED = 7


@pytest.mark.slow
@pytest.mark.django_db
def test_bulletin_from_the_scale_1_demo_matches_the_dashboard(capsys):
    load(generate(1.0, SEED), password_hash=demo_password_hash(SEED))
    day = timezone.localdate()
    rates.rates_refresh(day=day, trigger="command")
    sup = User.objects.select_related("police_unit").get(username="supervisor")

    started = time.perf_counter()
    draft = bulletins.bulletin_draft(actor=sup, as_of=day)
    drafted = time.perf_counter()
    issued = bulletins.bulletin_issue(actor=sup, bulletin=draft)
    done = time.perf_counter()
    with capsys.disabled():
        print(f"\nscale-1 bulletin: draft {drafted - started:.2f} s, issue {done - drafted:.2f} s")

    # what the dashboard shows for the same day
    county = rates.node_get(actor=sup, tree="police", code=sup.police_unit.code)
    shown = rates.rates_at(actor=sup, node=county, day=day, codes=MAIN_RATES)
    ranked = ranking.station_ranking(actor=sup, day=day)
    assert len(ranked) >= 10 and all(r.denominator > 500 for r in shown.values())

    pages = pdf_pages_not_blank(bytes(issued.pdf))
    assert pages >= 3
    text = pdf_text(bytes(issued.pdf))
    lines = text.splitlines()
    for rate in shown.values():
        row = f"{rate.label} {rate.numerator:,} {rate.denominator:,} {rate.percent}"
        assert any(line.startswith(row) for line in lines), row

    with translation.override("zh-hans"):
        headings = bulletin_render.document(issued.content)["headings"]
    section = text[text.index(headings[1]) : text.index(headings[2])]
    rows = re.findall(r"^(\d+) (\S+) (\d+\.\d{2}) ", section, flags=re.M)
    assert rows == [(str(r.rank), r.node.name, f"{r.score:.2f}") for r in ranked]

    # ... and what the dashboard page itself shows for that day, read from its HTML
    client = Client()
    client.force_login(sup)
    with translation.override("zh-hans"):
        page = client.get("/supervision/", {"day": day.isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    for code in MAIN_RATES:
        tile = re.search(
            rf'data-rate="{code}".*?data-part="percent">([^<]+)<.*?data-part="numerator">([^<]+)<'
            rf'.*?data-part="denominator">([^<]+)<',
            html,
            flags=re.S,
        )
        assert tile, code
        percent, num, den = (g.strip() for g in tile.groups())
        row = f"{shown[code].label} {num} {den} {percent}"
        assert any(line.startswith(row) for line in lines), row
    page_ranks = re.findall(r'<li><a href="[^"]+">([^<]+)</a> <strong>([\d.]+)</strong></li>', html)
    assert page_ranks == [(name, score) for _rank, name, score in rows]
