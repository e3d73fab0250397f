"""English catalogue of the queue pages: switching the language (the top bar's set_language POST) turns the kiosk,
the printed ticket and the counter console into English."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import TokenKind, token_create
from queueing import services as s
from queueing.views.kiosk import COOKIE


def _english(client):
    r = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert r.status_code == 302


@pytest.fixture
def kiosk_client(client, floor):
    client.cookies[COOKIE] = token_create(hall=floor["hall"], kind=TokenKind.KIOSK, name="kiosk")[1]
    return client


def test_kiosk_and_printed_ticket_switch_to_english(kiosk_client, floor):
    assert "请选择您要办理的业务" in kiosk_client.get(reverse("queueing:kiosk")).content.decode()
    _english(kiosk_client)
    page = kiosk_client.get(reverse("queueing:kiosk")).content.decode()
    assert "Please choose the business you need" in page and "请选择您要办理的业务" not in page
    assert "Regular customer" in page and "Senior mode (large text)" in page
    r = kiosk_client.post(
        reverse("queueing:kiosk_issue"), {"business_type": floor["basic"].pk, "idempotency_key": "en1"}
    )
    printed = kiosk_client.get(r.url).content.decode()
    assert "Your number" in printed and "Estimated wait" in printed and "您的号码" not in printed


def test_console_switches_to_english(client, floor):
    client.force_login(floor["clerk_a"])
    c1 = floor["c1"]
    s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    page = client.get(reverse("queueing:console", args=[c1.pk])).content.decode()
    assert "叫下一位" in page
    _english(client)
    page = client.get(reverse("queueing:console", args=[c1.pk])).content.decode()
    assert "Call next" in page and "叫下一位" not in page
    assert "Keyboard shortcuts" in page and "Plain-language glossary" in page
