"""SUP-3 the annual revision: the review pack for a year links the service-standard versions in force during the
year and what changed between them (the standard app's compare), with the year's KPIs pooled and month by month."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from kpi.annual import versions_in_force
from kpi.models import DailyRollup
from kpi.rollup import rollup_range
from staff.models import HallRole
from standard.models import StandardVersion
from standard.services import standard_publish
from tests import factories as f
from tests.complaints.pdftext import pdf_text
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


@pytest.mark.django_db
def test_sup3_year_pack_pdf_renders_chinese_months_and_versions(revised, client):
    w = revised
    login(client, w["manager_a"])
    page = client.get(f"/kpi/pack/year/?year=2026&hall={w['hall_a'].code}").content.decode()
    assert f"?format=pdf&amp;year=2026&amp;hall={w['hall_a'].code}" in page
    assert f"?format=xlsx&amp;year=2026&amp;hall={w['hall_a'].code}" in page
    pdf = client.get(f"/kpi/pack/year/?year=2026&hall={w['hall_a'].code}&format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert 'filename="kpi-year-2026.pdf"' in pdf["Content-Disposition"]
    text = pdf_text(pdf.content)
    for words in (
        "年度服务质量报告",
        w["hall_a"].name,
        "一、全年考核指标",
        "二、各月结果",
        "业务办理及时率",
        "2026-11",
        "暂无数据",  # the months before the seeded one, never 0 %
        "三、年内施行的服务规范版本及修订内容",
        "及时率目标调整",
        "首个版本",
        "业务办理及时率目标",
    ):
        assert words in text, words
    month_lines = [line for line in text.splitlines() if line.startswith("2026-")]
    assert len({line[:7] for line in month_lines}) == 12


@pytest.mark.django_db
def test_sup3_year_pack_excel_has_the_months_the_versions_and_the_changes(revised, client):
    w = revised
    login(client, w["manager_a"])
    xlsx = client.get("/kpi/pack/year/?year=2026&format=xlsx")
    assert xlsx.status_code == 200 and 'filename="kpi-year-2026.xlsx"' in xlsx["Content-Disposition"]
    wb = load_workbook(BytesIO(xlsx.content))
    assert wb.sheetnames == ["全年考核指标", "各月结果", "施行版本", "修订内容"]
    months = list(wb["各月结果"].iter_rows(values_only=True))
    assert months[0][0] == "月份" and "业务办理及时率（%）" in months[0] and "业务办理及时率状态" in months[0]
    assert [r[0] for r in months[1:]] == [f"2026-{m:02d}" for m in range(1, 13)]
    header = list(months[0])
    nov = months[11]
    den = header.index("业务办理及时率分母")
    raw = sum(r.denominator for r in DailyRollup.objects.filter(hall=w["hall_a"], kpi="on_time"))
    assert nov[den] == raw and raw > 0
    assert months[1][header.index("业务办理及时率（%）")] is None  # January: no data, not 0
    year = list(wb["全年考核指标"].iter_rows(values_only=True))
    on_time = next(r for r in year if r[0] == "业务办理及时率")
    assert on_time[2] == raw  # the year pooled: Σ A of its months
    versions = list(wb["施行版本"].iter_rows(values_only=True))
    assert [r[0] for r in versions[1:]] == [1, 2] and versions[2][4] == "及时率目标调整"
    changes = list(wb["修订内容"].iter_rows(values_only=True))
    assert changes[1:] == [(2, changes[1][1], "业务办理及时率目标", changes[1][3], changes[1][4])]
    assert len(changes) == 2


@pytest.mark.django_db
def test_sup3_year_pack_files_are_scoped_and_bad_input_is_4xx(revised, client):
    w = revised
    manager_b = f.user("manager_b", hall_roles=[(w["hall_b"], HallRole.HALL_MANAGER)])
    for fmt in ("pdf", "xlsx"):
        url = f"/kpi/pack/year/?year=2026&hall={w['hall_a'].code}&format={fmt}"
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
        login(client, manager_b)
        assert client.get(url).status_code == 404  # another hall: no existence leak
        own = client.get(f"/kpi/pack/year/?year=2026&format={fmt}")
        assert own.status_code == 200
        login(client, w["clerk_a"])
        assert client.get(url).status_code in (403, 404)
        client.logout()
    login(client, w["manager_a"])
    for query, message in (
        ("year=abc&format=pdf", "年份格式应为"),
        ("year=1999&format=xlsx", "年份不正确"),
        ("year=2027&format=pdf", "年份不正确"),
        ("year=2026&hall=NOPE&format=pdf", None),
        ("year=2026&format=doc", "筛选条件不正确"),
    ):
        response = client.get(f"/kpi/pack/year/?{query}")
        assert 400 <= response.status_code < 500, query
        if message:
            assert message in response.content.decode(), query
    assert client.get("/kpi/pack/year/?year=2026&hall=NOPE&format=pdf").status_code == 404
