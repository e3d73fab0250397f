"""STF-3.1 in Chromium: the trainer's screen shows a QR code; the clerk opens its link on a phone, logs in as
themselves, confirms, and appears on the trainer's sign-in list. axe: no serious or critical violation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.conftest import browser_login
from tests.floor.test_e2e_floor import axe_serious
from training import services as s
from training.models import Attendance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_stf31_qr_sign_in_on_a_phone(browser, page, live_server, world):
    now = timezone.now()
    session = s.session_create(
        hall=world["hall_a"],
        kind="briefing",
        title="新业务解读:5G-A套餐",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        actor=world["manager_a"],
        trainer=world["manager_a"],
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser_login(page, live_server, "manager_a")
    page.goto(f"{live_server.url}/training/{session.pk}/")
    page.wait_for_selector("#qr-panel svg")
    assert axe_serious(page, live_server) == []
    page.screenshot(path=str(SHOTS / "training-qr-1366.png"), full_page=True)

    token = s.signin_token(session=session, actor=world["manager_a"])["path"]
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800}, is_mobile=True)
    try:
        p = phone.new_page()
        p.goto(f"{live_server.url}{token}")
        assert "/accounts/login/" in p.url  # logged in as themselves first
        p.fill("#id_username", "clerk_a")
        p.fill("#id_password", "Test@Pass2026")
        p.click("main button[type=submit]")
        p.wait_for_selector("text=确认签到")
        assert axe_serious(p, live_server) == []
        box = p.locator("button.big").bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300  # a thumb-sized target
        p.click("button.big")
        p.wait_for_selector("text=签到成功")
        p.screenshot(path=str(SHOTS / "training-signin-390.png"), full_page=True)
    finally:
        phone.close()
    assert Attendance.objects.get(session=session).clerk == world["clerk_a"]
    page.reload()
    assert page.locator("text=签到名单（1）").count() == 1
