"""API /api/v1/queue/: device tokens bound to their hall, staff to theirs; bad input refused, nothing changed."""

from __future__ import annotations

import pytest

from halls.models import Counter
from integrations.models import TokenKind, token_create
from queueing import services as s
from queueing.models import Ticket, TicketStatus

API = "/api/v1/queue"


@pytest.fixture
def kiosk_a(floor):
    return {
        "HTTP_AUTHORIZATION": f"Bearer {token_create(hall=floor['hall'], kind=TokenKind.KIOSK, name='k')[1]}"
    }


@pytest.fixture
def kiosk_b(floor):
    return {
        "HTTP_AUTHORIZATION": f"Bearer {token_create(hall=floor['hall_b'], kind=TokenKind.KIOSK, name='k')[1]}"
    }


def test_kiosk_lists_businesses_and_issues(client, floor, kiosk_a):
    names = {b["name"] for b in client.get(f"{API}/kiosk/business-types", **kiosk_a).json()}
    assert "套餐变更" in names
    body = {"business_type_id": floor["basic"].pk, "priority_kind": "pregnant", "idempotency_key": "dbl"}
    r1 = client.post(f"{API}/kiosk/tickets", body, content_type="application/json", **kiosk_a)
    r2 = client.post(f"{API}/kiosk/tickets", body, content_type="application/json", **kiosk_a)
    assert r1.status_code == 201 and r1.json()["number"] == "A001" and r2.json()["id"] == r1.json()["id"]


def test_unknown_business_is_refused(client, floor, kiosk_a):
    r = client.post(
        f"{API}/kiosk/tickets", {"business_type_id": 99999}, content_type="application/json", **kiosk_a
    )
    assert r.status_code == 400 and r.json()["code"] == "unknown_business" and r.json()["message_en"]
    assert Ticket.objects.count() == 0


def test_another_halls_device_token_is_refused(client, floor, kiosk_b):
    r = client.post(
        f"{API}/kiosk/tickets?hall_id={floor['hall'].pk}",
        {"business_type_id": floor["basic"].pk},
        content_type="application/json",
        **kiosk_b,
    )
    assert r.status_code == 403 and r.json()["code"] == "other_hall_token"
    assert Ticket.objects.count() == 0


def test_display_token_cannot_issue(client, floor):
    raw = token_create(hall=floor["hall"], kind=TokenKind.DISPLAY, name="d")[1]
    r = client.post(
        f"{API}/kiosk/tickets",
        {"business_type_id": floor["basic"].pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert r.status_code == 403 and Ticket.objects.count() == 0
    assert client.get(f"{API}/display/feed", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_call_from_paused_counter_is_refused(client, floor):
    s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    client.force_login(floor["clerk_a"])
    r = client.post(f"{API}/counters/{floor['c_paused'].pk}/call-next")
    assert r.status_code == 409 and r.json()["code"] == "counter_not_open"
    assert Ticket.objects.get().status == TicketStatus.WAITING


def test_call_from_closed_counter_is_refused(client, floor):
    s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    client.force_login(floor["clerk_a"])
    assert (
        client.post(f"{API}/counters/{floor['c2'].pk}/close", {}, content_type="application/json").status_code
        == 200
    )
    r = client.post(f"{API}/counters/{floor['c2'].pk}/call-next")
    assert r.status_code == 409 and Ticket.objects.get().status == TicketStatus.WAITING


def test_full_counter_flow_and_finish_from_another_counter_refused(client, floor):
    s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    client.force_login(floor["clerk_a"])
    c1, c2 = floor["c1"].pk, floor["c2"].pk
    t = client.post(f"{API}/counters/{c1}/call-next").json()
    assert client.post(f"{API}/counters/{c1}/tickets/{t['id']}/start").json()["clock"] == "ok"
    finish = {"outcome": "done", "business_type_ids": [floor["basic"].pk]}
    r = client.post(f"{API}/counters/{c2}/tickets/{t['id']}/finish", finish, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "not_this_counter"
    assert Ticket.objects.get().status == TicketStatus.SERVING
    r = client.post(f"{API}/counters/{c1}/tickets/{t['id']}/finish", finish, content_type="application/json")
    assert r.status_code == 200 and r.json()["within_limit"] is True
    assert client.post(f"{API}/counters/{c1}/call-next").status_code == 204


def test_clerk_of_other_hall_sees_nothing(client, floor):
    client.force_login(floor["clerk_b"])
    assert client.post(f"{API}/counters/{floor['c1'].pk}/call-next").status_code == 404
    assert client.get(f"{API}/halls/{floor['hall'].pk}/snapshot").status_code == 404


def test_greeter_flags_and_lists(client, floor):
    t = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    client.force_login(floor["greeter_a"])
    r = client.post(
        f"{API}/tickets/{t.pk}/flag",
        {"needs_accompaniment": True, "priority_kind": "elderly"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["needs_accompaniment"] and r.json()["priority_kind"] == "elderly"
    assert [x["number"] for x in client.get(f"{API}/halls/{floor['hall'].pk}/waiting").json()] == [t.number]
    assert client.post(f"{API}/counters/{floor['c1'].pk}/call-next").status_code == 403


def test_appointment_book_and_check_in(client, floor, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    app = {
        "HTTP_AUTHORIZATION": f"Bearer {token_create(hall=floor['hall'], kind=TokenKind.APP, name='a')[1]}"
    }
    start = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    slots = client.get(
        f"{API}/appointments/slots?business_type_id={floor['basic'].pk}&day={start.date()}", **app
    )
    assert slots.status_code == 200 and any(x["free"] > 0 for x in slots.json())
    r = client.post(
        f"{API}/appointments",
        {"business_type_id": floor["basic"].pk, "slot_start": start.isoformat(), "mobile": "13800138000"},
        content_type="application/json",
        **app,
    )
    assert r.status_code == 201
    time_machine.move_to(start - timedelta(minutes=5), tick=False)
    kiosk = {
        "HTTP_AUTHORIZATION": f"Bearer {token_create(hall=floor['hall'], kind=TokenKind.KIOSK, name='k')[1]}"
    }
    t = client.post(
        f"{API}/kiosk/check-in", {"code": r.json()["code"]}, content_type="application/json", **kiosk
    )
    assert t.status_code == 201 and Ticket.objects.get().appointment_id == r.json()["id"]


def test_snapshot_query_count_is_constant(floor, django_assert_max_num_queries):
    from queueing.selectors import queue_snapshot, recent_calls

    for i in range(6):
        s.ticket_issue(hall=floor["hall"], business_type=floor["basic" if i % 2 else "complex"])
    for c in ("c1", "c2", "c3"):
        s.ticket_call_next(counter=floor[c], clerk=floor["clerk_a"])
    with django_assert_max_num_queries(5):
        queue_snapshot(hall=floor["hall"])
    with django_assert_max_num_queries(1):
        recent_calls(hall=floor["hall"])


def test_console_query_count_is_bounded(client, floor, django_assert_max_num_queries):
    for _ in range(5):
        s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    s.ticket_call_next(counter=floor["c1"], clerk=floor["clerk_a"])
    for n in range(10, 20):
        Counter.objects.create(hall=floor["hall"], number=n)
    client.force_login(floor["clerk_a"])
    client.get(f"/queue/console/{floor['c1'].pk}/panel/")
    with django_assert_max_num_queries(16):
        assert client.get(f"/queue/console/{floor['c1'].pk}/panel/").status_code == 200


def test_cancelling_an_unknown_appointment_is_404_with_a_stable_code(client, floor):
    app = {
        "HTTP_AUTHORIZATION": f"Bearer {token_create(hall=floor['hall'], kind=TokenKind.APP, name='a')[1]}"
    }
    r = client.post(f"{API}/appointments/NOPE42/cancel", content_type="application/json", **app)
    assert r.status_code == 404 and r.json()["code"] == "not_found"


@pytest.mark.parametrize("prefix", ["/", "/tingwu/"])
@pytest.mark.parametrize("token", ["hAe9Qo_WPS4py9Wb-EUavJOS", "a b?ü"])
def test_ticket_answers_link_the_mobile_page_exactly_as_reverse_does(prefix, token):
    """The mobile URL in every ticket answer is built from a remembered reverse() per script prefix; a token that
    reverse() would quote takes reverse() itself."""
    from django.urls import reverse, set_script_prefix

    import tingwu.api  # noqa: F401 - builds the API before its parts are imported
    from queueing.api._common import mobile_url

    set_script_prefix(prefix)
    try:
        assert mobile_url(token) == reverse("queueing:mobile_ticket", args=[token])
        assert mobile_url(token).startswith(prefix)
    finally:
        set_script_prefix("/")
