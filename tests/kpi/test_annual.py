"""SUP-3 the annual revision: the review pack for a year links the service-standard versions in force during the
year and what changed between them (the standard app's compare), with the year's KPIs pooled and month by month."""

from __future__ import annotations

from datetime import date

import pytest

from kpi.annual import versions_in_force
from kpi.rollup import rollup_range
from standard.models import StandardVersion
from standard.services import standard_publish
from tests.conftest import login
from tests.kpi.conftest import sh
from tests.kpi.seed import seed_month

NOV = date(2026, 11, 1)


@pytest.fixture
def revised(world, time_machine):
    """v1 from 2025-01-01; v2 from 2026-07-01 lowers the on-time target from 98 % to 97 %."""
    time_machine.move_to(sh(2026, 6, 20, 10, 0), tick=False)
    v1 = StandardVersion.objects.get(number=1)
    params = [
        {"code": p.code, "clause": p.clause, "label": p.label, "value": p.value, "unit": p.unit}
        for p in v1.parameters.all()
    ]
    for p in params:
        if p["code"] == "kpi.on_time_pct":
            p["value"] = 97
    standard_publish(
        number=2,
        title="第2版",
        effective_from=sh(2026, 7, 1, 0, 0),
        parameters=params,
        notes="及时率目标调整",
    )
    time_machine.move_to(sh(2026, 12, 20, 10, 0), tick=False)
    seed_month(world, NOV)
    rollup_range(day_from=NOV, day_to=date(2026, 11, 30))
    return world


@pytest.mark.django_db
def test_sup3_year_lists_versions_in_force_and_what_changed(revised):
    year = versions_in_force(2026)
    assert [v["version"].number for v in year] == [1, 2]
    assert year[0]["from"] == date(2026, 1, 1) and year[0]["until"] == date(2026, 6, 30)
    assert year[1]["from"] == date(2026, 7, 1) and year[1]["until"] == date(2026, 12, 31)
    assert [(c["code"], c["left"], c["right"]) for c in year[1]["changes"]] == [("kpi.on_time_pct", 98, 97)]
    assert [v["version"].number for v in versions_in_force(2025)] == [1]
    assert versions_in_force(2024) == []


@pytest.mark.django_db
def test_sup3_year_view_page_links_versions_and_shows_the_year(revised, client):
    w = revised
    login(client, w["manager_a"])
    body = client.get(f"/kpi/pack/year/?year=2026&hall={w['hall_a'].code}").content.decode()
    versions = body.split('id="year-versions"')[1]
    assert "/standard/v1/" in versions and "/standard/v2/" in versions
    assert "/standard/compare/?left=1&amp;right=2" in versions
    assert "业务办理及时率目标" in versions and "及时率目标调整" in versions
    months = body.split('id="year-months"')[1].split("</table>")[0]
    assert months.count("<tr>") == 1 + 12 and "2026-11" in months
    assert "暂无数据" in months  # the months before the seeded one, never 0 %
    assert (
        client.get("/kpi/pack/").status_code == 200
        and "/kpi/pack/year/" in client.get("/kpi/pack/").content.decode()
    )
    for bad in ("abc", "1999", "2027"):
        assert client.get(f"/kpi/pack/year/?year={bad}").status_code == 400, bad
    login(client, w["clerk_a"])
    assert client.get("/kpi/pack/year/").status_code == 403
