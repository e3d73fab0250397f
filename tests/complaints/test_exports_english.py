"""Issue 10 §3, English mode: the complaint receipt PDF and the hot-spot Excel export speak the UI's language —
headers, labels and dates in English when the user reads English; the customer's own words, names and the hall's
name stay as they were written (data without an English form)."""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.complaints.pdftext import pdf_text
from tests.conftest import login

SHANGHAI = ZoneInfo("Asia/Shanghai")
HAN = re.compile(r"[\u3400-\u9fff]+")
FULL_WIDTH = re.compile(r"[（）：，；！？「」《》、]")


def _english(client, user):
    login(client, user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def _left(text: str, data: list[str]) -> tuple[list[str], list[str]]:
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return HAN.findall(text), FULL_WIDTH.findall(text)


@pytest.mark.django_db
def test_receipt_pdf_in_english(client, world, intake, time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI), tick=False)
    world["basic"].name_en = "Plan change"
    world["basic"].save()
    complaint = intake()
    _english(client, world["clerk_a"])
    response = client.get(reverse("complaints:receipt", args=[complaint.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Complaint acceptance receipt" in text and complaint.number in text
    assert "2026-03-02 09:30" in text and "Plan change" in text
    data = [complaint.hall.name, complaint.summary, complaint.masked_name, complaint.hall.complaint_window]
    assert _left(text, [d for d in data if d]) == ([], [])


@pytest.mark.django_db
def test_receipt_pdf_stays_chinese_in_chinese(client, world, intake, time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI), tick=False)
    complaint = intake()
    login(client, world["clerk_a"])
    text = pdf_text(client.get(reverse("complaints:receipt", args=[complaint.pk])).content)
    assert "投诉受理回执" in text and "2026年03月02日 09:30" in text


@pytest.mark.django_db
def test_hotspot_excel_export_in_english(client, world, intake):
    from openpyxl import load_workbook

    world["basic"].name_en = "Plan change"
    world["basic"].save()
    first = intake()
    second = intake(demand="套餐变更没生效,被重复扣费,要求退费")
    _english(client, world["manager_a"])
    response = client.get(reverse("complaints:hotspots_export"))
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    cells = [
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    text = "\n".join([sheet.title for sheet in book.worksheets] + cells)
    assert "Plan change" in text and "Keywords" in text
    from complaints.text import terms

    words = set()
    for c in (first, second):
        ws = terms(c.demand)
        words |= set(ws) | {a + b for a, b in zip(ws, ws[1:], strict=False)}
    data = [world["hall_a"].name, first.summary, second.summary, *words]
    han, marks = _left(text, data)
    assert han == [] and marks == [], (han, marks)
