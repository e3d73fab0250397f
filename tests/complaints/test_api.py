"""Complaint API: WeCom/APP intake with an integration token, 401 without one, another hall's complaint 404."""

from __future__ import annotations

import pytest

from complaints.models import Complaint
from integrations.models import TokenKind, token_create
from tests.conftest import login

BODY = {
    "complainant_name": "王芳",
    "contact_phone": "13700137003",
    "demand": "合约机提前解约被收取违约金,营业员当时没有说明合约期",
    "business_type": "CONTRACT",
}


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
def test_wecom_token_records_complaint_with_channel_and_receipt(client, world):
    """CMP-1: WeCom entry — the channel is the token's, the hall is the token's, the receipt is computed."""
    _token, raw = token_create(hall=world["hall_a"], kind=TokenKind.WECOM, name="甲厅企业微信")
    response = client.post("/api/v1/complaints", BODY, content_type="application/json", **_bearer(raw))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "wecom" and body["hall"] == "HA" and body["kind"] == "complex"
    assert body["contact_phone"] == "137****7003" and "13700137003" not in response.content.decode()
    assert body["contact_deadline"] and body["feedback_deadline"]
    own = client.get(f"/api/v1/complaints/{body['id']}", **_bearer(raw))
    assert own.status_code == 200
    pdf = client.get(f"/api/v1/complaints/{body['id']}/receipt.pdf", **_bearer(raw))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_kiosk_token_cannot_file_complaints(client, world):
    _token, raw = token_create(hall=world["hall_a"], kind=TokenKind.KIOSK, name="取号机")
    response = client.post("/api/v1/complaints", BODY, content_type="application/json", **_bearer(raw))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_api_without_token_is_401(client, world):
    response = client.post("/api/v1/complaints", BODY, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    assert client.get("/api/v1/complaints").status_code == 401


@pytest.mark.django_db
def test_invalid_phone_is_400_with_stable_code(client, world):
    _token, raw = token_create(hall=world["hall_a"], kind=TokenKind.APP, name="APP")
    response = client.post(
        "/api/v1/complaints",
        BODY | {"contact_phone": "12345"},
        content_type="application/json",
        **_bearer(raw),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_phone" and response.json()["field"] == "contact_phone"
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_other_hall_complaint_is_404_for_staff_and_tokens(client, world, intake):
    c = intake()
    login(client, world["clerk_b"])
    assert client.get(f"/api/v1/complaints/{c.pk}").status_code == 404
    assert client.get(f"/api/v1/complaints/{c.pk}").json()["code"] == "not_found"
    _token, raw = token_create(hall=world["hall_a"], kind=TokenKind.WECOM, name="甲厅企业微信")
    client.logout()
    assert client.get(f"/api/v1/complaints/{c.pk}", **_bearer(raw)).status_code == 404  # not its own


@pytest.mark.django_db
def test_staff_handles_complaint_over_api(client, world, intake):
    c = intake()
    login(client, world["supervisor_a"])
    listed = client.get("/api/v1/complaints").json()
    assert [row["number"] for row in listed] == [c.number]
    r = client.post(
        f"/api/v1/complaints/{c.pk}/contact", {"note": "已联系客户"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "contacted"
    r = client.post(
        f"/api/v1/complaints/{c.pk}/solve",
        {
            "cause": "工单未同步",
            "solution": "已补办并退费",
            "responsibility": "company",
            "company_at_fault": False,
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "policy_basis_required"
    r = client.post(
        f"/api/v1/complaints/{c.pk}/solve",
        {
            "cause": "工单未同步",
            "solution": "已补办并退费",
            "responsibility": "company",
            "company_at_fault": True,
            "apologised": True,
            "notify_by": "sms",
        },
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "notified"
    assert [e["kind"] for e in r.json()["events"]][-2:] == ["solution", "notified"]
