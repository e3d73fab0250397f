"""SUP-3 review pack PDFs in the reader's language (issue 10 §3, English mode): the monthly pack and the year pack,
from the page and from the API, read in English when the user reads English — KPI names, section titles, month
labels, units, targets, "no data" — and in Chinese with full-width marks in zh-Hans. Data without an English form
(a hall's name, a person's name, a standard version's title and notes, a parameter's name, words of the complaints)
stays as it was written, as on the receipt PDF (tests/complaints/test_exports_english.py)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from complaints.models import Complaint
from complaints.text import terms
from kpi.services import meeting_record, plan_item_add
from lib import fullwidth
from standard.models import StandardParameter, StandardVersion
from tests.complaints.pdftext import pdf_text
from tests.conftest import login
from tests.kpi.test_annual import revised  # noqa: F401  (v2 from 2026-07-01, November 2026 seeded)

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u9fff]+")
FULL_WIDTH = re.compile(r"[（）：，；！？「」《》、]")


@pytest.fixture
def pack_world(revised):  # noqa: F811
    """The seeded year, English names on the business types, an analysis meeting with an improvement item."""
    w = revised
    w["basic"].name_en = "Plan change"
    w["basic"].save()
    meeting = meeting_record(
        hall=w["hall_a"],
        actor=w["manager_a"],
        month=date(2026, 11, 1),
        held_on=date(2026, 12, 3),
        attendees="全体员工",
        highlights="微笑服务",
        problems="午间排队长",
    )
    plan_item_add(
        meeting=meeting,
        actor=w["manager_a"],
        what="午间增开窗口",
        why="超时",
        owner=w["supervisor_a"],
        kpi="on_time",
    )
    return w


def _pdfs(client, w) -> dict[str, str]:
    """The text of the four review pack PDFs: monthly and yearly, page and API."""
    hall = w["hall_a"].code
    urls = {
        "month page": f"{reverse('kpi:pack')}?month=2026-11&format=pdf&hall={hall}",
        "month api": f"/api/v1/kpi/pack.pdf?month=2026-11&hall={hall}",
        "year page": f"{reverse('kpi:pack_year')}?year=2026&format=pdf&hall={hall}",
        "year api": f"/api/v1/kpi/pack/year.pdf?year=2026&hall={hall}",
    }
    out = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", name
        out[name] = pdf_text(response.content)
    return out


def _data_without_english(w) -> list[str]:
    users = get_user_model().objects.all()
    data = {h.name for h in (w["hall_a"], w["hall_b"])}
    data |= {u.get_full_name() for u in users} | {u.first_name for u in users} | {u.last_name for u in users}
    data |= {"全体员工", "微笑服务", "午间排队长", "午间增开窗口"}
    for v in StandardVersion.objects.all():
        data |= {v.title, v.notes}
    data |= set(StandardParameter.objects.values_list("label", flat=True))
    for demand in Complaint.objects.values_list("demand", flat=True):
        words = terms(demand)
        data |= set(words) | {a + b for a, b in zip(words, words[1:], strict=False)} | {demand}
    from staff.models import StaffProfile

    data |= set(StaffProfile.objects.values_list("full_name", flat=True))
    return sorted((d for d in data if d), key=len, reverse=True)


def _left(text: str, data: list[str]) -> tuple[list[str], list[str]]:
    for value in data:
        text = text.replace(value, " ")
    return HAN.findall(text), FULL_WIDTH.findall(text)


def test_sup3_review_pack_pdfs_read_in_english(client, pack_world):
    w = pack_world
    login(client, w["manager_a"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    data = _data_without_english(w)
    for name, text in _pdfs(client, w).items():
        assert "Business handled on time" in text and "Complaints resolved" in text, name
        assert "No data" in text and "Target 97" in text, name
        han, marks = _left(text, data)
        assert han == [] and marks == [], (name, han, marks)
        if name.startswith("month"):
            assert "Monthly service quality review" in text and "1. KPIs against targets" in text
            assert "Problems: Business handled on time 87.07%, target 97%" in text
            assert "2026-11" in text and "Plan change" in text and "Problems" in text
            assert "9. Service analysis meeting and improvement plan" in text
        else:
            assert "Annual service quality report" in text and "1. KPIs for the year" in text
            months = [line for line in text.splitlines() if line.startswith("2026-")]
            assert len({line[:7] for line in months}) == 12, name
            assert "First version" in text or "first version" in text, name


def test_sup3_review_pack_page_names_its_problems_not_an_inspection_finding(client, pack_world):
    """问题 alone is an inspection's finding in English ("Finding", the inspections catalogue comes first); the
    pack's problems read "Problems" on its page too."""
    login(client, pack_world["manager_a"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(
        f"{reverse('kpi:pack')}?month=2026-11&hall={pack_world['hall_a'].code}"
    ).content.decode()
    assert "Problems: " in page and "Finding" not in page


def test_sup3_review_pack_pdfs_stay_chinese_with_full_width_marks(client, pack_world):
    w = pack_world
    login(client, w["manager_a"])
    for name, text in _pdfs(client, w).items():
        assert "业务办理及时率：" in text and "投诉解决率" in text and "暂无数据" in text, name
        assert "目标 97%" in text, name
        assert "No data" not in text and "Target" not in text, name
        assert fullwidth.find(text) == [], (name, fullwidth.find(text))
        if name.startswith("month"):
            assert (
                "月度服务质量分析报告" in text
                and "一、考核指标与目标" in text
                and "九、服务分析会与改进计划" in text
            )
            assert "套餐变更" in text  # the business type's Chinese name
        else:
            assert "年度服务质量报告" in text and "2026年" in text and "首个版本" in text
