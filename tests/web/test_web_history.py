"""The history timeline on detail pages: who, when, old → new, why; identifiers masked per role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ybss.audit.services import history_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_with_history(county):
    person = county.a.person
    history_record(actor=county.a.users["collector"], record=person, action="create")
    history_record(
        actor=county.a.users["officer"],
        record=person,
        action="update",
        changes={
            "phone": ["13912345671", "13800001111"],
            "sex": ["2", "1"],
            "status": ["pending", "accepted"],
        },
        reason="核对户口本",
    )
    return person


def test_timeline_newest_first_with_labels(county, officer_a, person_with_history):
    page = officer_a.get(reverse("web:person_detail", args=[person_with_history.pk]))
    history = page.context["history"]
    assert [e.action_code for e in history] == ["update", "create"]
    latest = history[0]
    assert latest.actor == "officer_a" and latest.reason == "核对户口本"
    changes = {c.label: (c.old, c.new) for c in latest.changes}
    assert changes["性别"] == ("女性", "男性")
    assert changes["状态"] == ("待审核", "有效")
    assert changes["联系电话"] == ("13912345671", "13800001111")  # officers see identifiers in full


def test_timeline_masks_identifiers_for_supervisor(county, client_for, person_with_history):
    page = client_for(county.users["supervisor"]).get(
        reverse("web:person_detail", args=[person_with_history.pk])
    )
    html = page.content.decode()
    assert "13800001111" not in html and "13912345671" not in html
    assert "138****1111" in html


def test_timeline_in_english(county, officer_a, person_with_history):
    officer_a.post(reverse("web:set_language"), {"language": "en", "next": "/"})
    page = officer_a.get(reverse("web:person_detail", args=[person_with_history.pk]))
    changes = {c.label: (c.old, c.new) for c in page.context["history"][0].changes}
    assert changes["sex"] == ("Female", "Male")
    assert "History" in page.content.decode()


def test_list_page_in_english(county, officer_a):
    officer_a.post(reverse("web:set_language"), {"language": "en", "next": "/"})
    html = officer_a.get(reverse("web:persons")).content.decode()
    assert "Actual population" in html and "实有人口" not in html
