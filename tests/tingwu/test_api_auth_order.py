"""A device token authenticates an unsafe request even when the client enforces CSRF (a real kiosk has no session)."""

from __future__ import annotations

import pytest
from django.test import Client

from integrations.models import TokenKind, token_create
from tests import factories as f


@pytest.mark.django_db
def test_device_token_post_is_not_rejected_by_the_session_csrf_check(world):
    """Endpoints on the API's default auth (here: an online consultation from WeCom, BIZ-2.1)."""
    _token, raw = token_create(hall=world["hall_a"], kind=TokenKind.WECOM, name="wecom")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/consultations",
        data={
            "channel": "wecom",
            "customer_name": "张三",
            "contact_phone": "13800138000",
            "question": "流量怎么结转?",
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_api_without_credentials_is_401_with_stable_code(client):
    response = client.get("/api/v1/halls/")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response.json()["message_en"]
    _ = f


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "tw_revoked_or_made_up"])
def test_a_post_without_a_valid_token_or_a_session_is_401_not_a_csrf_403(world, token):
    """A kiosk whose token was revoked has no session at all: it must be told "unauthorized" (401), not "CSRF check
    failed" (403), which the session check answered first when there was no session cookie to check."""
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        "/api/v1/queue/kiosk/tickets",
        data={"business_type_id": world["basic"].pk},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "unauthorized"


@pytest.mark.django_db
def test_a_session_post_without_the_csrf_token_is_still_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["clerk_a"])
    response = client.post("/api/v1/queue/counters/1/call-next")
    assert response.status_code == 403
