"""Issue 10 §2: the kiosk outside the hall's opening hours (holidays and 调休 included) says when the hall opens
instead of promising 「约 0 分钟」, and issues only when the hall chose to queue before opening; after a ticket it
returns to its idle screen (the reset clears the language)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from integrations.models import TokenKind, token_create
from queueing.models import Ticket
from queueing.views.kiosk import COOKIE

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def kiosk(client, floor, real_opening_hours):
    _token, raw = token_create(hall=floor["hall"], kind=TokenKind.KIOSK, name="kiosk")
    client.cookies[COOKIE] = raw
    return client


def _issue(kiosk, floor):
    return kiosk.post(
        reverse("queueing:kiosk_issue"), {"business_type": floor["basic"].pk, "idempotency_key": "k"}
    )


def test_after_closing_the_kiosk_says_when_the_hall_opens_and_issues_nothing(kiosk, floor, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 19, 30, tzinfo=SH), tick=False)  # Wednesday, closed at 18:00
    page = kiosk.get(reverse("queueing:kiosk")).content.decode()
    assert "本厅现在不营业" in page and "12月3日" in page and "09:00" in page
    assert "约 0 分钟" not in page and 'name="business_type" value' not in page
    r = _issue(kiosk, floor)
    assert r.status_code == 409 and "本厅现在不营业" in r.content.decode()
    assert Ticket.objects.count() == 0


def test_a_statutory_holiday_is_closed_and_the_next_opening_is_after_it(kiosk, floor, time_machine):
    # 2026-10-01 (Thursday) is 国庆节: the hall's weekday hours do not apply.
    time_machine.move_to(datetime(2026, 10, 1, 10, 0, tzinfo=SH), tick=False)
    page = kiosk.get(reverse("queueing:kiosk")).content.decode()
    assert "本厅现在不营业" in page and "10月1日" not in page
    assert _issue(kiosk, floor).status_code == 409


def test_a_makeup_working_saturday_is_open(kiosk, floor, time_machine):
    # 2026-09-20 is a 调休 working Sunday before 国庆; the weekend hours apply (09:30–17:00).
    time_machine.move_to(datetime(2026, 9, 20, 10, 0, tzinfo=SH), tick=False)
    assert _issue(kiosk, floor).status_code == 302


def test_before_opening_the_hall_may_choose_to_queue(kiosk, floor, time_machine):
    hall = floor["hall"]
    time_machine.move_to(datetime(2026, 12, 2, 8, 30, tzinfo=SH), tick=False)
    assert _issue(kiosk, floor).status_code == 409  # default: no queueing before the doors open
    hall.queue_before_opening = True
    hall.save(update_fields=["queue_before_opening"])
    page = kiosk.get(reverse("queueing:kiosk")).content.decode()
    assert "本厅尚未开始营业" in page and "今天 09:00" in page
    r = _issue(kiosk, floor)
    assert r.status_code == 302
    ticket_page = kiosk.get(r.url).content.decode()
    assert "约 0 分钟" not in ticket_page and "开始叫号" in ticket_page and "今天 09:00" in ticket_page


def test_in_opening_hours_the_ticket_shows_the_wait_and_an_idle_timer(kiosk, floor, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 10, 0, tzinfo=SH), tick=False)
    floor["hall"].kiosk_idle_seconds = 12
    floor["hall"].save(update_fields=["kiosk_idle_seconds"])
    r = _issue(kiosk, floor)
    page = kiosk.get(r.url).content.decode()
    assert "约 " in page and 'data-idle-seconds="12"' in page and reverse("queueing:kiosk_reset") in page


def test_reset_returns_to_the_idle_screen_in_the_default_language(kiosk, floor):
    kiosk.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = kiosk.get(reverse("queueing:kiosk_reset"))
    assert r.status_code == 302 and r.url == reverse("queueing:kiosk")
    assert r.cookies[settings.LANGUAGE_COOKIE_NAME].value == settings.LANGUAGE_CODE


# --- the kiosk device API follows the page's rule (one rule, one place: queueing.opening.kiosk_require_open) ------
API = "/api/v1/queue"


@pytest.fixture
def device(client, floor, real_opening_hours):
    _token, raw = token_create(hall=floor["hall"], kind=TokenKind.KIOSK, name="kiosk-api")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _api_issue(client, floor, device, **extra):
    body = {"business_type_id": floor["basic"].pk, **extra}
    return client.post(f"{API}/kiosk/tickets", body, content_type="application/json", **device)


def test_api_after_closing_refuses_with_409_and_when_the_hall_opens(client, floor, device, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 19, 30, tzinfo=SH), tick=False)  # Wednesday, closed at 18:00
    r = _api_issue(client, floor, device)
    assert r.status_code == 409, r.content
    body = r.json()
    assert (
        body["code"] == "hall_closed"
        and "12月3日（星期四）" in body["message"]
        and "09:00" in body["message"]
    )
    assert "，" in body["message"] and "Opens" in body["message_en"] and "Dec" in body["message_en"]
    assert datetime.fromisoformat(body["opens_at"]) == datetime(2026, 12, 3, 9, 0, tzinfo=SH)
    check_in = client.post(f"{API}/kiosk/check-in", {"code": "X"}, content_type="application/json", **device)
    assert check_in.status_code == 409 and check_in.json()["code"] == "hall_closed"
    assert Ticket.objects.count() == 0


def test_api_on_a_statutory_holiday_refuses(client, floor, device, time_machine):
    time_machine.move_to(datetime(2026, 10, 1, 10, 0, tzinfo=SH), tick=False)  # 国庆节
    assert _api_issue(client, floor, device).status_code == 409


def test_api_follows_the_halls_own_holiday_opening_hours(client, floor, device, kiosk, time_machine):
    """The hall records that it opens on 2026-10-01 (a holiday) 10:00–14:00: page and API both issue."""
    from halls.models import HallDayHours

    HallDayHours.objects.create(hall=floor["hall"], day=date(2026, 10, 1), hours=[["10:00", "14:00"]])
    time_machine.move_to(datetime(2026, 10, 1, 11, 0, tzinfo=SH), tick=False)
    assert _api_issue(client, floor, device).status_code == 201
    assert _issue(kiosk, floor).status_code == 302
    time_machine.move_to(datetime(2026, 10, 1, 15, 0, tzinfo=SH), tick=False)
    assert _api_issue(client, floor, device).status_code == 409


def test_api_before_opening_issues_when_the_hall_queues_before_opening(client, floor, device, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 8, 30, tzinfo=SH), tick=False)
    assert _api_issue(client, floor, device).status_code == 409
    floor["hall"].queue_before_opening = True
    floor["hall"].save(update_fields=["queue_before_opening"])
    assert _api_issue(client, floor, device).status_code == 201


def test_api_stores_the_wheelchair_flag_like_the_page(client, floor, device, kiosk, time_machine):
    """BIZ-4 accessible counters: the kiosk page's 轮椅 flag is taken by the device API too."""
    time_machine.move_to(datetime(2026, 12, 2, 10, 0, tzinfo=SH), tick=False)
    r = _api_issue(client, floor, device, needs_low_counter=True, idempotency_key="wheel")
    assert r.status_code == 201 and r.json()["needs_low_counter"] is True
    assert Ticket.objects.get(pk=r.json()["id"]).needs_low_counter is True
    assert _api_issue(client, floor, device).json()["needs_low_counter"] is False
