"""Headless Chromium, end to end (issue 4 "Done means"): a clerk records an on-site complaint → the receipt is
produced → the duty supervisor logs the contact → a solution is recorded → the SMS notice is in the outbox → the
hot-spot page shows the complaint."""

from __future__ import annotations

import pytest

from complaints.models import Complaint, Status
from notify.models import Notification
from tests.conftest import CHROMIUM_ARGS, browser_login  # noqa: F401 - CHROMIUM_ARGS documents the launch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_onsite_complaint_from_intake_to_hotspots(page, browser, live_server, world, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    # The clerk at the window records the complaint.
    browser_login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/complaints/new/")
    page.fill("#id_complainant_name", "张桂兰")
    page.fill("#id_contact_phone", "13800138001")
    page.select_option("#id_business_type", label="套餐变更")
    page.fill("#id_demand", "上月办理的套餐变更一直没生效,还被重复扣费了30元")
    page.click("#intake-form button[type=submit]")
    page.wait_for_selector("#receipt-link")
    complaint = Complaint.objects.get()
    assert complaint.number in page.locator("h1").inner_text()
    assert "138****8001" in page.content() and "13800138001" not in page.content()

    # The receipt is produced (fetched with the clerk's session, as the link does).
    receipt = page.request.get(live_server.url + page.locator("#receipt-link").get_attribute("href"))
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF") and b"/FontFile2" in receipt.body()

    # The duty supervisor logs the contact and records the solution, told by SMS.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    sup = context.new_page()
    sup.set_default_timeout(10_000)
    browser_login(sup, live_server, "supervisor_a")
    sup.goto(f"{live_server.url}/complaints/")
    sup.click(f"text={complaint.number}")
    sup.fill("#step-contact textarea[name=note]", "已电话联系客户,确认扣费情况")
    sup.click("#step-contact button[type=submit]")
    sup.wait_for_selector("#step-solve")
    assert "联系客户" in sup.locator("#timeline").inner_text()
    sup.fill("#step-solve textarea[name=cause]", "套餐变更工单未同步至计费系统")
    sup.fill("#step-solve textarea[name=solution]", "已补做变更并退还多扣的30元")
    sup.fill("#step-solve input[name=follow_up]", "下月出账后回访确认")
    sup.select_option("#step-solve select[name=responsibility]", "company")
    sup.check("#step-solve input[name=company_at_fault][value=yes]")
    sup.check("#step-solve input[name=apologised]")
    sup.select_option("#step-solve select[name=notify_by]", "sms")
    sup.click("#step-solve button[type=submit]")
    sup.wait_for_selector("text=已告知客户")
    complaint.refresh_from_db()
    assert complaint.status == Status.NOTIFIED

    # The SMS notice is in the outbox.
    sms = Notification.objects.get(template="complaint_solution_sms")
    assert complaint.number in sms.body and "退还多扣的30元" in sms.body

    # The hot-spot page shows it.
    sup.goto(f"{live_server.url}/complaints/hotspots/")
    text = sup.locator("main").inner_text()
    assert "本月投诉 1 件" in text and "套餐变更" in text and "扣费" in text
    sup.wait_for_selector("#chart-business-types svg")  # ECharts drew from the JSON block under the CSP
    context.close()
