"""Sign-in page in Chinese and English; sign-in, sign-out and failures are audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from tests.web.webutil import assert_no_external_assets
from ybss.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-Hans"' in html
    assert "登录" in html
    assert_no_external_assets(html)


def test_login_page_in_english_after_switching(client):
    response = client.post(reverse("web:set_language"), {"language": "en", "next": reverse("web:login")})
    assert response.status_code == 302
    html = client.get(reverse("web:login")).content.decode()
    assert 'lang="en"' in html
    assert "Sign in" in html
    assert "登录" not in html


def test_failed_sign_in_shows_chinese_message_and_is_audited(county, client):
    response = client.post(reverse("web:login"), {"username": "officer_a", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    event = AuditEvent.objects.get(action="login_failed")
    assert event.detail == {"username": "officer_a"}
    assert event.actor is None
    assert "wrong" not in str(event.detail)


def test_sign_in_and_out_are_audited(county, client):
    response = client.post(reverse("web:login"), {"username": "officer_a", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert AuditEvent.objects.get(action="login").actor == county.a.users["officer"]
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="logout").actor == county.a.users["officer"]
    assert client.get(reverse("web:home")).status_code == 302


def test_sign_out_needs_post(county, officer_a):
    assert officer_a.get(reverse("web:logout")).status_code == 405


def test_chinese_by_default_even_for_an_english_browser(client):
    resp = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert resp.status_code == 200 and "登录" in resp.content.decode()


def test_language_cookie_switches_to_english(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Sign in" in client.get("/login/").content.decode()
