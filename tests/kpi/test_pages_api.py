"""SUP-2/SUP-3 where people see it: the dashboard per persona (manager: hall, inspector: region, HQ: chain, clerk:
own figures, auditor: read-only), drill-down rows, the API figures, exports, the review pack's PDF text and Excel
sheets, bad input (unknown filters → 4xx)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from kpi.models import DailyRollup
from kpi.rollup import rollup_range
from tests.complaints.pdftext import pdf_text
from tests.conftest import login
from tests.kpi.conftest import sh
from tests.kpi.seed import seed_month

NOV = date(2026, 11, 1)


@pytest.fixture
def seeded(world, time_machine):
    time_machine.move_to(sh(2026, 12, 20, 10, 0), tick=False)
    seed_month(world, NOV)
    rollup_range(day_from=NOV, day_to=date(2026, 12, 19))
    return world


def _figs(body):
    return {f["kpi"]: f for f in body["figures"]}


@pytest.mark.django_db
def test_api_figures_scoped_per_persona(seeded, client):
    w = seeded
    login(client, w["manager_a"])
    body = client.get("/api/v1/kpi/figures?month=2026-11").json()
    assert body["scope"]["kind"] == "hall" and body["scope"]["hall_ids"] == [w["hall_a"].pk]
    raw = DailyRollup.objects.filter(hall=w["hall_a"], kpi="on_time")
    on_time = _figs(body)["on_time"]
    assert on_time["denominator"] == sum(r.denominator for r in raw)
    assert _figs(body)["satisfaction"]["status"] == "no_data" and _figs(body)["satisfaction"]["pct"] is None
    assert client.get("/api/v1/kpi/figures?hall=HB").status_code == 404  # another hall: no existence leak
    assert client.get(f"/api/v1/kpi/figures?region={w['region'].code}").status_code == 403
    assert client.get(f"/api/v1/kpi/figures?clerk={w['clerk_b'].pk}").status_code == 404  # hall B's clerk
    mine = client.get(f"/api/v1/kpi/figures?month=2026-11&clerk={w['clerk_a'].pk}").json()
    assert mine["scope"]["kind"] == "clerk" and _figs(mine)["on_time"]["denominator"] == sum(
        r.denominator for r in DailyRollup.objects.filter(kpi="on_time", clerk=w["clerk_a"])
    )

    login(client, w["inspector"])
    body = client.get(f"/api/v1/kpi/figures?month=2026-11&region={w['region'].code}").json()
    both = DailyRollup.objects.filter(kpi="on_time", hall__in=[w["hall_a"], w["hall_b"]])
    assert body["scope"]["kind"] == "region" and _figs(body)["on_time"]["denominator"] == sum(
        r.denominator for r in both
    )
    assert client.get("/api/v1/kpi/figures?hall=HC").status_code == 404

    login(client, w["hq"])
    assert client.get("/api/v1/kpi/figures?month=2026-11").json()["scope"]["kind"] == "chain"
    halls = client.get("/api/v1/kpi/halls?month=2026-11").json()
    assert {h["hall"] for h in halls} == {"HA", "HB"}

    login(client, w["clerk_a"])
    body = client.get("/api/v1/kpi/figures?month=2026-11").json()
    mine = DailyRollup.objects.filter(kpi="on_time", clerk=w["clerk_a"])
    assert body["scope"]["kind"] == "clerk" and _figs(body)["on_time"]["denominator"] == sum(
        r.denominator for r in mine
    )
    assert client.get(f"/api/v1/kpi/figures?clerk={w['supervisor_a'].pk}").status_code == 403
    assert client.get("/api/v1/kpi/clerks").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url,status",
    [
        ("/api/v1/kpi/figures?month=2026-13", 400),
        ("/api/v1/kpi/figures?month=2027-01", 400),
        ("/api/v1/kpi/figures?hall=NOPE", 404),
        ("/api/v1/kpi/figures?region=NOPE", 404),
        ("/api/v1/kpi/figures?clerk=abc", 400),
        ("/api/v1/kpi/rows?kpi=speed", 400),
        ("/api/v1/kpi/rows?kpi=on_time&source=nope", 400),
        ("/api/v1/kpi/flags?status=maybe", 400),
        ("/api/v1/kpi/flags?subject=dog", 400),
        ("/api/v1/kpi/trend?months=99", 400),
        ("/kpi/?month=bad", 400),
        ("/kpi/rows/?kpi=nope", 400),
        ("/kpi/pack/?format=doc", 400),
        ("/kpi/?hall=NOPE", 404),
    ],
)
def test_bad_input_is_4xx(seeded, client, url, status):
    login(client, seeded["manager_a"])
    response = client.get(url)
    assert response.status_code == status
    if url.startswith("/api/"):
        assert response.json()["code"] and response.json()["message_en"]


@pytest.mark.django_db
def test_drill_down_rows_behind_a_red_figure(seeded, client):
    w = seeded
    login(client, w["manager_a"])
    page = client.get("/kpi/?month=2026-11")
    assert page.status_code == 200
    html = page.content.decode()
    assert "业务办理及时率" in html and 'class="kpi-card below"' in html and "暂无数据" in html
    rows = client.get("/api/v1/kpi/rows?kpi=on_time&month=2026-11").json()["rows"]
    raw = DailyRollup.objects.filter(hall=w["hall_a"], kpi="on_time")
    assert sum(r["denominator"] for r in rows) == sum(r.denominator for r in raw)
    assert any("超出时限" in r["note"] for r in rows) and any("过号" in r["note"] for r in rows)
    page = client.get("/kpi/rows/?kpi=complaint_resolution&month=2026-11")
    assert page.status_code == 200 and "TS-SEED" in page.content.decode()
    login(client, w["clerk_a"])
    own = client.get(f"/api/v1/kpi/rows?kpi=on_time&month=2026-11&clerk={w['clerk_a'].pk}").json()["rows"]
    assert own and sum(r["denominator"] for r in own) == sum(
        r.denominator for r in DailyRollup.objects.filter(clerk=w["clerk_a"], kpi="on_time")
    )
    assert client.get("/kpi/").status_code == 200  # the clerk's own figures


@pytest.mark.django_db
def test_sup3_review_pack_pdf_text_and_excel_sheets(seeded, client):
    w = seeded
    login(client, w["manager_a"])
    page = client.get("/kpi/pack/?month=2026-11")
    assert page.status_code == 200 and "月度服务质量分析报告" in page.content.decode()
    pdf = client.get("/kpi/pack/?month=2026-11&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for words in (
        "月度服务质量分析报告",
        "业务办理及时率",
        "投诉解决率",
        "近12个月趋势",
        "投诉热点",
        "暂无数据",
    ):
        assert words in text
    xlsx = client.get("/api/v1/kpi/pack.xlsx?month=2026-11")
    wb = load_workbook(BytesIO(xlsx.content))
    assert wb.sheetnames == [
        "考核指标",
        "12个月趋势",
        "员工",
        "投诉热点",
        "低分原因",
        "检查与暗访整改",
        "环境与设备",
        "亮点与问题",
        "改进计划",
    ]
    assert wb["12个月趋势"].max_row == 13
    export = client.get("/kpi/export/clerks.xlsx?month=2026-11")
    sheet = load_workbook(BytesIO(export.content)).active
    header = [c.value for c in sheet[1]]
    assert (
        header[:2] == ["营业厅", "员工"]
        and "业务办理及时率 n" in header
        and "业务办理及时率是否达标" in header
    )
    assert sheet.max_row == 3  # clerk_a and supervisor_a of hall A
    login(client, w["clerk_a"])
    assert client.get("/kpi/export/clerks.xlsx?month=2026-11").status_code == 403
    assert client.get("/kpi/pack/").status_code == 403


@pytest.mark.django_db
def test_sup3_meeting_and_plan_item_on_the_sla_engine(seeded, client):
    from sla.models import Clock, ClockStatus

    w = seeded
    login(client, w["manager_a"])
    created = client.post(
        "/api/v1/kpi/meetings",
        {
            "hall": "HA",
            "month": "2026-11",
            "held_on": "2026-12-03",
            "attendees": "全体员工",
            "problems": "超时",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    mid = created.json()["id"]
    item = client.post(
        f"/api/v1/kpi/meetings/{mid}/items",
        {"what": "增开窗口", "why": "超时", "owner_id": w["supervisor_a"].pk, "kpi": "on_time"},
        content_type="application/json",
    )
    assert item.status_code == 201
    iid = item.json()["id"]
    clock = Clock.objects.get(object_id=iid, target="kpi_plan_item")
    assert clock.status == ClockStatus.RUNNING
    bad = client.post(f"/api/v1/kpi/items/{iid}/status", {"status": "done"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "evidence_required"
    done = client.post(
        f"/api/v1/kpi/items/{iid}/status",
        {"status": "done", "evidence": "排班表已调整"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    clock.refresh_from_db()
    assert clock.status == ClockStatus.MET
    assert "增开窗口" in client.get(f"/kpi/meetings/{mid}/").content.decode()
    login(client, w["auditor"])
    assert (
        client.post(
            "/api/v1/kpi/meetings",
            {"hall": "HA", "month": "2026-11", "held_on": "2026-12-03", "attendees": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_openapi_lists_every_kpi_endpoint_with_error_responses(client, world):
    login(client, world["hq"])
    schema = client.get("/api/v1/openapi.json").json()
    paths = {p: v for p, v in schema["paths"].items() if p.startswith("/api/v1/kpi/")}
    assert len(paths) >= 15
    for ops in paths.values():
        for op in ops.values():
            assert {"200", "400", "403", "404"} <= set(op["responses"]) or {"201", "400"} <= set(
                op["responses"]
            )
