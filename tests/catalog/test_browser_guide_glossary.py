"""A clerk in headless Chromium: logs in, opens a business guide, searches the glossary as they type (STF-2.2)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from catalog.models import GlossaryTerm
from staff.models import HallRole
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_opens_a_guide_and_finds_plain_words_for_data_rollover(page, live_server):
    from standard.services import standard_seed_v1

    standard_seed_v1()
    hall = f.hall()
    f.business_type(
        "SIM_REPLACE",
        name="补换卡",
        halls=[hall],
        materials=[("本人有效身份证件原件", True, "如遗失可先办理临时身份证")],
    )
    GlossaryTerm.objects.create(term="流量结转", plain="本月没用完的流量会自动转到下个月")
    GlossaryTerm.objects.create(term="副卡", plain="和主号共用套餐的另一张卡，费用算在主号上")
    f.user("pw_guide_clerk", hall_roles=[(hall, HallRole.CLERK)])
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    browser_login(page, live_server, "pw_guide_clerk")
    page.click("text=业务办理指南")
    page.click("text=补换卡")
    assert "本人有效身份证件原件" in page.locator("main").inner_text()
    assert "15 分钟内办结" in page.locator("main").inner_text()

    page.goto(f"{live_server.url}/")
    page.click("text=规范用语与通俗说法")
    page.locator("#glossary-q").press_sequentially("流量", delay=50)
    results = page.locator("#glossary-results")
    # expect() polls without evaluating strings, which the strict CSP (no unsafe-eval) would refuse.
    expect(results).to_contain_text("本月没用完的流量会自动转到下个月")
    expect(results).not_to_contain_text("副卡")
    assert page.url.endswith("/catalog/glossary/")  # typed as you go, no page load
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]


def test_manager_finds_a_customer_by_phone_and_reveals_with_a_reason(page, live_server):
    """BIZ-3: masked by default; the full number only after a reason, and the reveal is audited."""
    from privacy.models import PIAccessLog
    from privacy.services import customer_create

    hall = f.hall()
    customer_create(hall=hall, name="张桂兰", mobile="13800138001")
    f.user("pw_manager", hall_roles=[(hall, HallRole.HALL_MANAGER)])
    browser_login(page, live_server, "pw_manager")
    page.goto(f"{live_server.url}/privacy/customers/")
    page.fill("#id_mobile", "123")
    page.click("#customer-search button[type=submit]")
    expect(page.locator("#mobile-errors")).to_contain_text("手机号格式不正确")
    page.fill("#id_mobile", "13800138001")
    page.click("#customer-search button[type=submit]")
    results = page.locator("#customer-results")
    expect(results).to_contain_text("查询结果")
    expect(results).to_contain_text("138****8001")
    assert "/privacy/customers/" in page.url and "13800138001" not in page.url
    results.locator("text=详情").click()
    page.select_option("#id_field", "mobile")
    page.fill("#id_reason", "客户来电核实")
    page.click("text=查看并记录")
    expect(page.locator(".revealed-value")).to_have_text("13800138001")
    assert PIAccessLog.objects.filter(field="mobile", reason="客户来电核实").count() == 1
