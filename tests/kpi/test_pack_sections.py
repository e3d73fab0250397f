"""SUP-3 the review pack's sections from other apps: low-score evaluation reasons, inspection and mystery findings
with their rectification status, environment compliance and device availability (facilities' selectors), highlights
and problems — on the page, in the PDF and in the Excel workbook; a source without data says 暂无数据, never 0 %."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from kpi.models import Meeting
from kpi.rollup import rollup_range
from tests.complaints.pdftext import pdf_text
from tests.conftest import login
from tests.kpi.conftest import sh
from tests.kpi.seed import seed_month

NOV = date(2026, 11, 1)
SHEETS = [
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


@pytest.fixture
def seeded(world, time_machine):
    time_machine.move_to(sh(2026, 12, 20, 10, 0), tick=False)
    seed_month(world, NOV)
    rollup_range(day_from=NOV, day_to=date(2026, 12, 19))
    return world


def _sources(w):
    """One low-score evaluation (等候时间长), one overdue self-inspection rectification, one device down 3 days."""
    from evaluations.models import Evaluation, EvaluationInvitation, ReasonChip
    from evaluations.services import reason_chips_seed
    from facilities.models import Facility, FacilityKind, Fault, FaultSource, FaultStatus
    from inspections.models import Rectification
    from queueing.models import Ticket

    reason_chips_seed()
    hall = w["hall_a"]
    ticket = Ticket.objects.filter(hall=hall, finished_at__isnull=False).order_by("pk").first()
    at = sh(2026, 11, 12, 10, 0)
    inv = EvaluationInvitation.objects.create(
        hall=hall,
        region_id=hall.region_id,
        ticket=ticket,
        clerk=ticket.clerk,
        business_type=ticket.business_type,
        invited_at=at,
        pad_until=at,
        expires_at=at + timedelta(days=1),
        status="answered",
    )
    ev = Evaluation.objects.create(
        invitation=inv,
        ticket=ticket,
        hall=hall,
        region_id=hall.region_id,
        clerk=ticket.clerk,
        business_type=ticket.business_type,
        level=2,
        channel="web",
        submitted_at=at,
    )
    ev.reasons.add(ReasonChip.objects.get(code="long_wait"))
    Rectification.objects.create(
        hall=hall,
        region_id=hall.region_id,
        source="self_inspection",
        title="叫号屏字幕不清",
        owner=w["manager_a"],
        deadline=sh(2026, 11, 20, 18, 0),
        created_at=sh(2026, 11, 5, 10, 0),
    )
    device = Facility.objects.create(
        hall=hall, kind=FacilityKind.WATER, asset_code="W-1", label="饮水机一号", responsible=w["manager_a"]
    )
    Fault.objects.create(
        hall=hall,
        facility=device,
        source=FaultSource.STAFF,
        status=FaultStatus.RESOLVED,
        reported_at=sh(2026, 11, 3, 9, 0),
        confirmed_at=sh(2026, 11, 3, 9, 0),
        resolved_at=sh(2026, 11, 6, 9, 0),
    )
    Meeting.objects.create(
        hall=hall,
        month=NOV,
        held_on=date(2026, 12, 3),
        attendees="全体",
        highlights="引导到位",
        problems="高峰等候长",
    )


@pytest.mark.django_db
def test_sup3_pack_sections_without_sources_say_no_data(seeded, client):
    login(client, seeded["manager_a"])
    body = client.get("/kpi/pack/?month=2026-11").content.decode()
    for section in ("pack-reasons", "pack-findings", "pack-environment"):
        part = body.split(f'id="{section}"')[1].split("</div>")[0]
        assert "暂无数据" in part and "%" not in part, section
    api = client.get("/api/v1/kpi/pack?month=2026-11").json()
    assert api["low_score_evaluations"] is None and api["rectifications"] is None
    assert api["device_availability_pct"] is None
    wb = load_workbook(BytesIO(client.get("/kpi/pack/?month=2026-11&format=xlsx").content))
    assert wb.sheetnames == SHEETS
    for sheet in ("低分原因", "检查与暗访整改", "环境与设备"):
        assert wb[sheet]["A2"].value == "暂无数据", sheet


@pytest.mark.django_db
def test_sup3_pack_sections_with_their_sources(seeded, client):
    w = seeded
    _sources(w)
    login(client, w["manager_a"])
    body = client.get("/kpi/pack/?month=2026-11").content.decode()
    reasons = body.split('id="pack-reasons"')[1].split("</div>")[0]
    assert "低分评价 1 条" in reasons and "等候时间长" in reasons
    found = body.split('id="pack-findings"')[1].split("</div>")[0]
    assert "叫号屏字幕不清" in found and "整改中" in found and "已逾期" in found
    env = body.split('id="pack-environment"')[1].split("</div>")[0]
    assert "饮水机一号：90.00%" in env  # down 3 of November's 30 days
    hp = body.split('id="pack-highlights"')[1].split("</div>")[0]
    assert "整改逾期 1 项" in hp and "引导到位" in hp and "高峰等候长" in hp
    assert "业务办理及时率" in hp  # below target this month: a problem
    text = pdf_text(client.get("/kpi/pack/?month=2026-11&format=pdf").content)
    for words in (
        "五、低分评价原因",
        "等候时间长",
        "六、检查与暗访发现及整改",
        "叫号屏字幕不清",
        "七、环境达标与设备完好",
        "饮水机一号",
        "八、亮点与问题",
        "整改逾期",
    ):
        assert words in text, words
    api = client.get("/api/v1/kpi/pack?month=2026-11").json()
    assert (api["low_score_evaluations"], api["rectifications"], api["rectifications_overdue"]) == (1, 1, 1)
    assert api["device_availability_pct"] == 90.0 and api["environment_compliance_pct"] is None
    wb = load_workbook(BytesIO(client.get("/kpi/pack/?month=2026-11&format=xlsx").content))
    assert wb["低分原因"]["A2"].value == "等候时间长" and wb["低分原因"]["B2"].value == 1
    assert wb["检查与暗访整改"]["C2"].value == "叫号屏字幕不清" and wb["检查与暗访整改"]["F2"].value == "是"
    assert [c.value for c in wb["环境与设备"][4]][:3] == [w["hall_a"].name, "饮水机一号", 90.0]
