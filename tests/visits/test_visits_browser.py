"""BIZ-4 in Chromium: the greeter books a home visit on a tablet-sized page; the supervisor confirms, records the
customer's authorisation and assigns a clerk; pages are axe clean and never show the full name, phone or address."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.conftest import browser_login
from tests.floor.test_e2e_floor import axe_serious
from visits.models import HomeVisit, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_biz4_book_confirm_authorise_assign_in_the_browser(browser, page, live_server, world):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1024, "height": 768})
    browser_login(page, live_server, "greeter_a")
    page.goto(f"{live_server.url}/visits/new/")
    assert axe_serious(page, live_server) == []
    page.fill("#id_customer_name", "王秀英")
    page.fill("#id_contact_phone", "13900139001")
    page.fill("#id_address", "南山区科技园路88号3栋1201室")
    page.fill("#id_content", "补办SIM卡并开通老年套餐")
    page.click("button.big")
    page.wait_for_selector("text=已登记上门服务预约")
    body = page.content()
    assert "王**" in body and "13900139001" not in body and "88号" not in body
    visit = HomeVisit.objects.get()
    page.context.clear_cookies()

    browser_login(page, live_server, "supervisor_a")
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    when = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    page.fill("#id_confirm-scheduled_at", when)
    page.click("#step-confirm button[type=submit]")
    page.wait_for_selector("#step-authorise")
    page.fill("#id_authorise-authoriser_name", "王秀英")
    page.select_option("#id_authorise-method", "recorded_call")
    page.click("#step-authorise button[type=submit]")
    page.wait_for_selector("#step-assign")
    assert axe_serious(page, live_server) == []
    page.select_option("#id_assign-clerk", str(world["clerk_a"].pk))
    page.click("#step-assign button[type=submit]")
    page.wait_for_selector("text=已派员")
    page.screenshot(path=str(SHOTS / "visit-detail-1024.png"), full_page=True)
    visit.refresh_from_db()
    assert visit.status == Status.ASSIGNED and visit.clerk == world["clerk_a"] and visit.authorised_at
