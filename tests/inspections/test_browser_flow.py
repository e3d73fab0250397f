"""SUP-1.1 in Chromium: a self-inspection on a tablet-sized page → the report PDF → a rectification item completed
with a photo by its owner and verified by the manager."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from inspections.models import Rectification, RectificationStatus
from tests.complaints.pdftext import pdf_text
from tests.conftest import browser_login
from tests.inspections.conftest import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_sup_1_1_tablet_self_inspection_report_and_rectification(page, live_server, world, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "finding.png"
    photo.write_bytes(PNG)
    page.set_viewport_size({"width": 1024, "height": 768})  # the manager's tablet
    browser_login(page, live_server, "manager_a")
    page.goto(f"{live_server.url}/inspections/")
    page.click("text=开始本周自查")
    page.wait_for_selector("#run-form")
    # Everything passes except the counter clutter, which needs a photo.
    for radio in page.locator("input[type=radio][value=pass]").all():
        radio.check()
    for box in page.locator("input[type=number][name^=s-]").all():
        box.fill(box.get_attribute("max"))
    page.fill("input[name=n-BIZ-WAIT]", "8")
    page.check("input[name=r-ENV-CLEAN][value=fail]")
    item = page.locator("#item-ENV-CLEAN")
    item.locator("summary").click()
    item.locator("input[type=file]").set_input_files(str(photo))
    item.locator("input[name=note-ENV-CLEAN]").fill("等候区台面有杂物")
    item.locator("select[name=owner-ENV-CLEAN]").select_option(value=str(world["clerk_a"].pk))
    page.screenshot(path=str(SHOTS / "inspection-tablet.png"), full_page=False)
    page.click("text=提交自查")
    page.wait_for_selector("#total-score")
    assert "服务自查报告" in page.content()
    pdf_href = page.get_attribute("a:has-text('下载PDF')", "href")
    pdf = page.request.get(f"{live_server.url}{pdf_href}")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    text = pdf_text(pdf.body())
    assert "服务自查报告" in text and "甲营业厅" in text and "整改清单" in text and "等候区台面有杂物" in text
    assert b"/Subtype /Image" in pdf.body() and "照片无法显示" not in text  # the finding's photo is embedded
    (SHOTS / "inspection-report.pdf").write_bytes(pdf.body())

    rect = Rectification.objects.get()
    page.context.clear_cookies()
    browser_login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/inspections/rectifications/")
    page.click("text=大厅地面、台面整洁")
    page.set_input_files("#photo", str(photo))
    page.fill("#note", "已清理台面")
    page.click("form[action$='complete/'] button[type=submit]")
    page.wait_for_selector("text=待验收")
    page.context.clear_cookies()
    browser_login(page, live_server, "manager_a")
    page.goto(f"{live_server.url}/inspections/rectifications/{rect.pk}/")
    page.check("input[name=decision][value=accept]")
    page.click("form[action$='verify/'] button[type=submit]")
    page.wait_for_selector("text=验收结果已记录")
    assert page.inner_text("#rect-status") == "已验收"
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.VERIFIED and rect.evidence.name
