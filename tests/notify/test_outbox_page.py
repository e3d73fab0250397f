"""The outbox page and API for managers: masked recipients, own halls only (CMP-1, CMP-3, BIZ-3)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notify.models import NotificationStatus
from notify.services import notification_drain, notification_enqueue

pytestmark = pytest.mark.django_db
CTX = {
    "hall_name": "甲营业厅",
    "number": "TS-1",
    "accepted_at": "2026-03-02 10:00",
    "contact_deadline": "2026-03-02 12:00",
    "feedback_deadline": "2026-03-03 10:00",
    "hall_phone": "0755-10086000",
}


@pytest.fixture
def outbox(world):
    a = notification_enqueue(
        hall=world["hall_a"],
        channel="sms",
        recipient="13812345678",
        template="complaint_receipt_sms",
        context=CTX,
        dedupe_key="a",
    )
    b = notification_enqueue(
        hall=world["hall_b"],
        channel="sms",
        recipient="13987654321",
        template="complaint_receipt_sms",
        context=CTX,
        dedupe_key="b",
    )
    return {"a": a, "b": b}


def test_manager_sees_own_hall_with_masked_recipient(client, world, outbox, django_assert_max_num_queries):
    client.force_login(world["manager_a"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("notify:outbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert "139****4321" not in html  # hall B
    assert [n.pk for n in response.context["page"]] == [outbox["a"].pk]


def test_status_filter(client, world, outbox):
    notification_drain()
    client.force_login(world["inspector"])
    sent = client.get(reverse("notify:outbox"), {"status": NotificationStatus.SENT})
    assert {n.pk for n in sent.context["page"]} == {outbox["a"].pk, outbox["b"].pk}
    queued = client.get(reverse("notify:outbox"), {"status": NotificationStatus.QUEUED})
    assert list(queued.context["page"]) == []


@pytest.mark.parametrize("persona", ["clerk_a", "supervisor_a", "clerk_b"])
def test_staff_without_report_right_are_forbidden(client, world, outbox, persona):
    client.force_login(world[persona])
    assert client.get(reverse("notify:outbox")).status_code == 403


def test_api_lists_masked_without_body(client, world, outbox):
    client.force_login(world["manager_a"])
    response = client.get("/api/v1/notifications/")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["recipient_masked"] == "138****5678" and "body" not in item and "recipient" not in item


def test_api_other_hall_is_404_and_anonymous_401(client, world, outbox):
    assert client.get("/api/v1/notifications/").status_code == 401
    client.force_login(world["manager_a"])
    response = client.get("/api/v1/notifications/", {"hall_id": world["hall_c"].pk})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/api/v1/notifications/", {"status": "bogus"}).status_code == 422


def test_admin_shows_the_masked_recipient_only(client, world, outbox):
    from tests import factories as f

    root = f.user("root", superuser=True)
    root.is_staff = True
    root.save()
    client.force_login(root)
    for url in ("/admin/notify/notification/", f"/admin/notify/notification/{outbox['a'].pk}/change/"):
        body = client.get(url).content.decode()
        assert "138****5678" in body
        assert "13812345678" not in body and "enc1:" not in body
