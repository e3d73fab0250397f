"""SUP-3 the annual revision through the API (issue 13 §5, "API for every figure"): /api/v1/kpi/pack/year and its
PDF and Excel give what the year page gives — the year pooled (Σ B ÷ Σ A), its twelve months ("no data" never 0 %),
the standard versions in force with what changed — scoped like the page, bad input a 4xx with a stable code."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from kpi.models import DailyRollup
from staff.models import HallRole
from tests import factories as f
from tests.complaints.pdftext import pdf_text
from tests.conftest import login
from tests.kpi.test_annual import revised  # noqa: F401  (the fixture: v2 from 2026-07-01, November seeded)

URL = "/api/v1/kpi/pack/year"


@pytest.mark.django_db
def test_sup3_year_api_gives_the_year_pooled_its_months_and_the_versions(revised, client):  # noqa: F811
    w = revised
    login(client, w["manager_a"])
    body = client.get(f"{URL}?year=2026&hall={w['hall_a'].code}").json()
    assert body["year"] == 2026 and body["scope"]["kind"] == "hall"
    on_time = next(x for x in body["figures"] if x["kpi"] == "on_time")
    rows = DailyRollup.objects.filter(hall=w["hall_a"], kpi="on_time")
    assert on_time["denominator"] == sum(r.denominator for r in rows) > 0
    assert on_time["numerator"] == sum(r.numerator for r in rows)
    assert [m["month"] for m in body["months"]] == [f"2026-{m:02d}" for m in range(1, 13)]
    january = next(x for x in body["months"][0]["figures"] if x["kpi"] == "on_time")
    assert january["pct"] is None and january["status"] == "no_data"  # never 0 %
    assert [(v["number"], v["previous"]) for v in body["versions"]] == [(1, None), (2, 1)]
    v1, v2 = body["versions"]
    assert (v1["in_force_from"], v1["in_force_until"]) == ("2026-01-01", "2026-06-30")
    assert (v2["in_force_from"], v2["in_force_until"]) == ("2026-07-01", "2026-12-31")
    assert v2["notes"] == "及时率目标调整" and v1["changes"] == []
    [change] = v2["changes"]
    assert change["code"] == "kpi.on_time_pct" and change["label"] == "业务办理及时率目标"
    assert "98" in change["before"] and "97" in change["after"]


@pytest.mark.django_db
def test_sup3_year_api_files_match_the_page(revised, client):  # noqa: F811
    w = revised
    login(client, w["manager_a"])
    pdf = client.get(f"{URL}.pdf?year=2026&hall={w['hall_a'].code}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert 'filename="kpi-year-2026.pdf"' in pdf["Content-Disposition"]
    assert "年度服务质量报告" in pdf_text(pdf.content)
    xlsx = client.get(f"{URL}.xlsx?year=2026")
    assert xlsx.status_code == 200 and 'filename="kpi-year-2026.xlsx"' in xlsx["Content-Disposition"]
    page = client.get("/kpi/pack/year/?year=2026&format=xlsx")
    sheets = [list(ws.iter_rows(values_only=True)) for ws in load_workbook(BytesIO(xlsx.content))]
    assert sheets == [list(ws.iter_rows(values_only=True)) for ws in load_workbook(BytesIO(page.content))]


@pytest.mark.django_db
def test_sup3_year_api_is_scoped_and_bad_input_is_a_4xx_with_a_code(revised, client):  # noqa: F811
    w = revised
    for path in ("", ".pdf", ".xlsx"):
        url = f"{URL}{path}?year=2026&hall={w['hall_a'].code}"
        client.logout()
        assert client.get(url).status_code == 401
        login(client, f.user("manager_b" + path, hall_roles=[(w["hall_b"], HallRole.HALL_MANAGER)]))
        answer = client.get(url)
        assert answer.status_code == 404 and answer.json()["code"] == "unknown_hall"  # another hall: no leak
        login(client, w["clerk_a"])
        answer = client.get(url)
        assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    login(client, w["manager_a"])
    for query, code in (
        ("year=abc", "invalid_year"),
        ("year=1999", "invalid_year"),
        ("year=2027", "invalid_year"),
        ("year=2026&region=NOPE", "unknown_region"),
    ):
        answer = client.get(f"{URL}?{query}")
        assert 400 <= answer.status_code < 500 and answer.json()["code"] == code, query
        assert answer.json()["message"] and answer.json()["message_en"], query
