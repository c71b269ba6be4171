"""Real Chromium (Debian's, through Playwright) on a phone-sized screen: a community officer
searches for a resident by a near spelling of the name with a stated purpose, opens the person
from the results (the purpose travels with the link), sees the household and reports a lead from
the person's page — and every step is in the audit log with that purpose; the lead lands in the
person's police district. Nothing is fetched from outside.

Skipped when /usr/bin/chromium is missing, unless YBSS_REQUIRE_BROWSER=1 (CI), where it fails.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from tests.browser.conftest import PHONE, open_page, sign_in
from tests.factories import PersonFactory
from tests.standing import plant

pytestmark = [pytest.mark.django_db(transaction=True)]

WAIT = 20_000


def test_officer_searches_by_near_spelling_drills_down_and_reports_a_lead(
    county, live_server, browser, tmp_path
):
    from ybss.audit.models import AuditEvent
    from ybss.casework.models import Lead, LeadSource
    from ybss.search.services import search_index_rebuild

    a = county.a
    zw = PersonFactory(
        name="张伟",
        birth_date=dt.date(1985, 3, 17),
        division=a.person.division,
        police_unit=a.person.police_unit,
    )
    home = plant.house(a)
    plant.resident(a, home, "permanent", person=zw)
    spouse = plant.resident(a, home, "permanent", relation="10")
    search_index_rebuild()

    ctx, page = open_page(browser, **PHONE)
    try:
        sign_in(page, live_server, a.users["officer"].username)

        # One box: a near spelling (张玮 for 张伟) and the purpose of the search.
        page.goto(f"{live_server.url}/search/")
        page.fill("#id_q", "张玮")
        page.select_option("#id_purpose", "check")
        page.fill("#id_purpose_note", "入户走访核查")
        page.click("main form.filters button[type=submit]")
        page.wait_for_load_state("networkidle")
        link = page.locator(f"a[href^='/persons/{zw.pk}/']")
        link.first.wait_for(timeout=WAIT)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        shots = os.environ.get("YBSS_SCREENSHOT_DIR", str(tmp_path))
        page.screenshot(path=os.path.join(shots, "search-results-phone.png"), full_page=True)
        search = AuditEvent.objects.filter(action="search", object_type="search").latest("id")
        assert "入户走访核查" in search.purpose and search.result_count >= 1

        # The person: the household beside them, the purpose carried in the link and the audit.
        link.first.click()
        page.wait_for_load_state("networkidle")
        assert "purpose=" in page.url
        household = page.locator("#household").text_content() or ""
        assert spouse.name in household
        read = AuditEvent.objects.filter(action="read", object_type="registry.person", object_id=str(zw.pk))
        assert read.exists() and all(e.purpose == search.purpose for e in read)

        # Report a lead from the person's page (发现线索): it lands in the person's district.
        page.click(f"a[href='/leads/report/?person={zw.pk}']")
        page.wait_for_load_state("networkidle")
        page.fill("textarea[name=summary], input[name=summary]", "走访中发现该户有可疑人员出入")
        page.click("main form button.btn-primary[type=submit]")
        page.wait_for_load_state("networkidle")
        lead = Lead.objects.get(person=zw)
        assert lead.source == LeadSource.COLLECTION
        assert lead.police_unit_id == zw.police_unit_id and lead.division_id == zw.division_id
        assert AuditEvent.objects.filter(action="report", object_id=str(lead.pk)).exists()
        page.screenshot(path=os.path.join(shots, "lead-reported-phone.png"), full_page=True)
        assert page.external_requests == []  # type: ignore[attr-defined]
    finally:
        ctx.close()
