"""SUP-2/SUP-3 in Chromium: the manager's dashboard → drill into a red KPI → the rows behind it; the pack's PDF."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from kpi.definitions import local_day
from kpi.rollup import rollup_range
from lib.months import add_months
from tests.conftest import browser_login
from tests.kpi.seed import seed_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_manager_drills_into_a_red_kpi_and_opens_the_pack_pdf(page, live_server, world):
    from django.utils import timezone

    today = local_day(timezone.now())
    month = add_months(today.replace(day=1), -1)
    seed_month(world, month)
    rollup_range(day_from=month, day_to=today - timedelta(days=1))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_default_timeout(60_000)  # a loaded 2-core machine: the first page render can be slow
    browser_login(page, live_server, "manager_a")
    page.goto(f"{live_server.url}/kpi/?month={month:%Y-%m}")
    red = page.locator('.kpi-card.below[data-kpi="on_time"]')
    red.wait_for()
    page.wait_for_selector("#chart-on_time svg")
    page.screenshot(path=str(SHOTS / "kpi-dashboard.png"), full_page=True)
    red.locator("a.drill").click()
    page.wait_for_selector("#kpi-rows")
    assert "超出时限" in page.inner_text("#kpi-rows")
    page.screenshot(path=str(SHOTS / "kpi-rows.png"), full_page=True)
    page.goto(f"{live_server.url}/kpi/pack/?month={month:%Y-%m}")
    href = page.get_attribute("#pack-pdf", "href")
    response = page.request.get(f"{live_server.url}/kpi/pack/{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
