"""Complaint pages: intake with bad input keeps the user's data, detail and steps, private evidence, hot spots."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.models import Complaint, ComplaintEvidence, Status
from tests.conftest import login

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _post(world, **extra):
    data = {
        "hall": world["hall_a"].pk,
        "channel": "onsite",
        "complainant_name": "李明",
        "contact_phone": "13900139002",
        "business_type": world["basic"].pk,
        "demand": "宽带提速后网速没有变化,话费却按新套餐扣了",
        "related_reference": "A012",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_onsite_intake_page_records_complaint_and_links_receipt(client, world):
    """CMP-1: the window clerk records a complaint with evidence and gets the receipt link."""
    login(client, world["clerk_a"])
    assert client.get("/complaints/new/").status_code == 200
    shot = SimpleUploadedFile("截图.png", PNG, content_type="image/png")
    response = client.post("/complaints/new/", _post(world, evidence=[shot]), follow=True)
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    body = response.content.decode()
    assert complaint.number in body and f"/complaints/{complaint.pk}/receipt.pdf" in body
    assert "13900139002" not in body and "139****9002" in body
    assert ComplaintEvidence.objects.filter(complaint=complaint, content_type="image/png").count() == 1
    pdf = client.get(f"/complaints/{complaint.pk}/receipt.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("合同.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf"),
            "类型不支持",
        ),
        (
            SimpleUploadedFile("big.png", PNG + b"\x00" * (10 * 1024 * 1024), content_type="image/png"),
            "超过10MB",
        ),
    ],
    ids=["wrong-type-by-content", "oversized"],
)
def test_bad_attachment_is_refused_and_nothing_else_is_lost(client, world, private_storage, upload, message):
    """Bad input: the file is refused next to its field, the other fields are kept, nothing is saved."""
    login(client, world["clerk_a"])
    response = client.post("/complaints/new/", _post(world, evidence=[upload]))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "宽带提速后网速没有变化" in body and 'value="李明"' in body and 'value="13900139002"' in body
    assert Complaint.objects.count() == 0 and ComplaintEvidence.objects.count() == 0
    assert not private_storage.exists() or not any(p.is_file() for p in private_storage.rglob("*"))


@pytest.mark.django_db
def test_invalid_phone_is_refused_next_to_the_field(client, world):
    login(client, world["clerk_a"])
    response = client.post("/complaints/new/", _post(world, contact_phone="1234"))
    assert response.status_code == 400
    assert "手机号格式不正确" in response.content.decode()
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_supervisor_logs_contact_from_detail_page(client, world, intake):
    c = intake()
    login(client, world["supervisor_a"])
    page = client.get(f"/complaints/{c.pk}/")
    assert page.status_code == 200 and "step-contact" in page.content.decode()
    response = client.post(f"/complaints/{c.pk}/contact/", {"note": "已电话联系客户确认"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == Status.CONTACTED


@pytest.mark.django_db
def test_step_error_shows_message_and_changes_nothing(client, world, intake):
    c = intake()
    login(client, world["supervisor_a"])
    client.post(f"/complaints/{c.pk}/contact/", {"note": "已联系"})
    response = client.post(
        f"/complaints/{c.pk}/solve/",
        {"cause": "工单未同步", "solution": "补办", "responsibility": "company", "company_at_fault": "yes"},
    )
    assert response.status_code == 400
    assert "须向客户致歉" in response.content.decode()
    c.refresh_from_db()
    assert c.status == Status.CONTACTED


@pytest.mark.django_db
def test_other_hall_complaint_and_evidence_are_404(client, world, intake):
    shot = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    c = intake(evidence_files=[shot])
    ev = c.evidence.get()
    login(client, world["clerk_b"])
    assert client.get(f"/complaints/{c.pk}/").status_code == 404
    assert client.get(f"/complaints/{c.pk}/receipt.pdf").status_code == 404
    assert client.get(f"/complaints/{c.pk}/evidence/{ev.pk}/").status_code == 404
    assert client.post(f"/complaints/{c.pk}/contact/", {"note": "x联系"}).status_code == 404
    login(client, world["clerk_a"])
    response = client.get(f"/complaints/{c.pk}/evidence/{ev.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG


@pytest.mark.django_db
def test_list_puts_overdue_first_and_filters(client, world, intake, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    time_machine.move_to(timezone.now() - timedelta(hours=3), tick=False)
    old = intake()
    time_machine.move_to(timezone.now() + timedelta(hours=3), tick=False)
    new = intake()
    login(client, world["manager_a"])
    body = client.get("/complaints/").content.decode()
    assert body.index(old.number) < body.index(new.number)
    body = client.get("/complaints/?state=overdue").content.decode()
    assert old.number in body and new.number not in body


@pytest.mark.django_db
def test_hotspots_page_and_excel_export(client, world, intake):
    intake()
    intake(demand="套餐变更没生效,被重复扣费,要求退费")
    login(client, world["manager_a"])
    body = client.get("/complaints/hotspots/").content.decode()
    assert "hotspot-data" in body and "套餐变更" in body and "扣费" in body
    response = client.get("/complaints/hotspots/export.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    login(client, world["greeter_a"])
    assert client.get("/complaints/hotspots/").status_code == 403
