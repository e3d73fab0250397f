"""BIZ-1.2 green channel at the kiosk: the agreement is found by phone through the blind index (API and page)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import TokenKind, token_create
from privacy.services import customer_create
from queueing.models import Ticket
from queueing.views.kiosk import COOKIE

API = "/api/v1/queue"
PHONE = "13900139000"


@pytest.fixture
def kiosk_raw(floor):
    return token_create(hall=floor["hall"], kind=TokenKind.KIOSK, name="k")[1]


def _issue_api(client, floor, raw, mobile):
    return client.post(
        f"{API}/kiosk/tickets",
        {"business_type_id": floor["basic"].pk, "green_channel_mobile": mobile},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


def test_agreement_found_by_phone_issues_a_green_ticket(client, floor, kiosk_raw):
    customer_create(hall=floor["hall"], name="钱多多", mobile=PHONE, green_channel_agreement="GC-1")
    r = _issue_api(client, floor, kiosk_raw, "139 0013 9000")
    assert r.status_code == 201 and r.json()["green_channel"] is True
    assert "钱" not in r.content.decode() and PHONE not in r.content.decode()  # no PI in the response


def test_the_record_holding_the_agreement_is_found_among_several_with_that_phone(client, floor, kiosk_raw):
    customer_create(hall=floor["hall"], name="钱一", mobile=PHONE)  # same phone, no agreement, found first
    customer_create(hall=floor["hall"], name="钱二", mobile=PHONE, green_channel_agreement="GC-2")
    assert _issue_api(client, floor, kiosk_raw, PHONE).status_code == 201


@pytest.mark.parametrize("until_days", [None, -1])
def test_unknown_or_expired_agreement_is_refused_and_nothing_saved(client, floor, kiosk_raw, until_days):
    if until_days is not None:
        until = timezone.localdate() + timedelta(days=until_days)
        customer_create(
            hall=floor["hall"],
            name="钱多多",
            mobile=PHONE,
            green_channel_agreement="GC",
            green_channel_until=until,
        )
    r = _issue_api(client, floor, kiosk_raw, PHONE)
    assert r.status_code == 400 and r.json()["code"] == "green_channel_not_found"
    assert r.json()["field"] == "green_channel_mobile" and PHONE not in r.content.decode()
    assert Ticket.objects.count() == 0


def test_kiosk_page_green_channel_by_phone(client, floor, kiosk_raw):
    client.cookies[COOKIE] = kiosk_raw
    url = reverse("queueing:kiosk_issue")
    bad = client.post(url, {"mode": "green", "mobile": PHONE, "business_type": floor["basic"].pk})
    assert bad.status_code == 400 and Ticket.objects.count() == 0
    assert PHONE not in bad.content.decode()  # the typed number is not echoed back onto a shared kiosk screen
    customer_create(hall=floor["hall"], name="钱多多", mobile=PHONE, green_channel_agreement="GC-1")
    ok = client.post(url, {"mode": "green", "mobile": PHONE, "business_type": floor["basic"].pk})
    assert ok.status_code == 302 and Ticket.objects.get().green_channel
