"""Greeter tablet (BIZ-4) and supervisor live board (BIZ-2.2): pages on top of queueing's services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from floor.models import SelfServiceReferral
from halls.models import CounterStatus
from queueing.models import Ticket
from queueing.services import handling_start, ticket_call_next, ticket_issue
from tests import factories as f
from tests.timetravel import todays_hour

pytestmark = pytest.mark.django_db


def _issue(world, **kw):
    return ticket_issue(hall=world["hall_a"], business_type=world["basic"], **kw)


@pytest.mark.parametrize(
    "persona, status", [("greeter_a", 200), ("supervisor_a", 200), ("clerk_a", 403), ("clerk_b", 404)]
)
def test_greeter_page_permissions(client, world, persona, status):
    client.force_login(world[persona])
    assert client.get(reverse("floor:greeter", args=[world["hall_a"].pk])).status_code == status


def test_greeter_sees_waiting_list_with_waits_and_flags_priority(client, world, time_machine):
    """BIZ-4: the greeter marks an elderly customer as priority and as needing accompaniment."""
    time_machine.move_to(todays_hour(), tick=False)
    ticket = _issue(world)
    time_machine.shift(timedelta(minutes=12))
    client.force_login(world["greeter_a"])
    page = client.get(reverse("floor:greeter", args=[world["hall_a"].pk])).content.decode()
    assert ticket.number in page and "12 分钟" in page
    url = reverse("floor:greeter_flag", args=[world["hall_a"].pk, ticket.pk])
    r = client.post(url, {"flag": "priority", "priority_kind": "elderly"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "老年人" in r.content.decode()
    client.post(url, {"flag": "accompaniment"})
    ticket.refresh_from_db()
    assert ticket.priority_kind == "elderly" and ticket.needs_accompaniment


def test_bad_flag_changes_nothing(client, world):
    ticket = _issue(world)
    client.force_login(world["greeter_a"])
    url = reverse("floor:greeter_flag", args=[world["hall_a"].pk, ticket.pk])
    r = client.post(url, {"flag": "priority", "priority_kind": "vip"}, headers={"HX-Request": "true"})
    assert r.status_code == 400
    ticket.refresh_from_db()
    assert ticket.priority_kind == ""


def test_greeter_cannot_flag_another_halls_ticket(client, world):
    other = ticket_issue(hall=world["hall_b"], business_type=world["basic"])
    client.force_login(world["greeter_a"])
    url = reverse("floor:greeter_flag", args=[world["hall_a"].pk, other.pk])
    assert client.post(url, {"flag": "accompaniment"}).status_code == 404


def test_greeter_issues_a_ticket_once_even_on_double_submit(client, world):
    client.force_login(world["greeter_a"])
    url = reverse("floor:greeter_issue", args=[world["hall_a"].pk])
    data = {
        "business_type": world["basic"].pk,
        "priority_kind": "pregnant",
        "needs_form_help": "on",
        "idempotency_key": "k-1",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.source, ticket.priority_kind, ticket.needs_form_help) == ("greeter", "pregnant", True)


def test_greeter_issue_unknown_business_shows_the_error_and_saves_nothing(client, world):
    client.force_login(world["greeter_a"])
    url = reverse("floor:greeter_issue", args=[world["hall_a"].pk])
    foreign = f.business_type("ONLYC", halls=[world["hall_c"]])
    r = client.post(url, {"business_type": foreign.pk})
    assert r.status_code == 400 and "本厅未开办该业务" in r.content.decode()
    assert not Ticket.objects.exists()


def test_send_to_self_service_is_recorded(client, world):
    client.force_login(world["greeter_a"])
    url = reverse("floor:greeter_refer", args=[world["hall_a"].pk])
    assert client.post(url, {"business_type": world["basic"].pk, "ticket_number": "a003"}).status_code == 302
    ref = SelfServiceReferral.objects.get()
    assert (ref.hall, ref.ticket_number, ref.greeter) == (world["hall_a"], "A003", world["greeter_a"])
    assert client.post(url, {"ticket_number": "TOO-LONG-NUMBER"}).status_code == 400
    assert SelfServiceReferral.objects.count() == 1


@pytest.mark.parametrize(
    "persona, status",
    [("supervisor_a", 200), ("manager_a", 200), ("inspector", 200), ("greeter_a", 403), ("clerk_b", 404)],
)
def test_board_permissions(client, world, persona, status):
    client.force_login(world[persona])
    assert client.get(reverse("floor:board", args=[world["hall_a"].pk])).status_code == status


def test_board_highlights_an_over_limit_ticket_and_shows_idle_and_paused_counters(
    client, world, time_machine
):
    """BIZ-2.2: basic business over 15 minutes is highlighted on the board."""
    hall = world["hall_a"]
    busy = f.counter(hall, 1)
    f.counter(hall, 2)
    f.counter(hall, 3, status=CounterStatus.PAUSED)
    time_machine.move_to(todays_hour(), tick=False)
    _issue(world)
    _issue(world)
    ticket = ticket_call_next(counter=busy, clerk=world["clerk_a"])
    handling_start(ticket=ticket, clerk=world["clerk_a"], counter=busy)
    client.force_login(world["supervisor_a"])
    url = reverse("floor:board_panel", args=[hall.pk])
    html = client.get(url).content.decode()
    assert "board-counter busy" in html and "board-counter idle" in html and "board-counter paused" in html
    assert " over" not in html
    time_machine.shift(timedelta(minutes=16))
    html = client.get(url).content.decode()
    assert "board-counter busy over" in html and "1 笔超时" in html
    assert "等候中（1 人）" in html


def test_board_and_display_state_do_not_grow_queries_with_tickets(
    client, world, django_assert_max_num_queries
):
    """N+1 guard: the board (every 5 s) and the display state (every minute per screen) stay flat."""
    from integrations.models import TokenKind, token_create

    hall = world["hall_a"]
    for n in range(1, 6):
        f.counter(hall, n)
    for _ in range(12):
        _issue(world)
    _, raw = token_create(hall=hall, kind=TokenKind.DISPLAY, name="屏")
    client.force_login(world["supervisor_a"])
    board_url = reverse("floor:board_panel", args=[hall.pk])
    state_url = reverse("floor:display_state", args=[hall.pk])
    client.get(board_url)
    with django_assert_max_num_queries(16):
        assert client.get(board_url).status_code == 200
    client.logout()
    with django_assert_max_num_queries(8):
        assert client.get(state_url, headers={"X-Device-Token": raw}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_supervisor_sends_a_test_signal_to_the_displays(client, world, fresh_bus):
    hall = world["hall_a"]
    url = reverse("floor:board_display_test", args=[hall.pk])
    client.force_login(world["greeter_a"])
    assert client.post(url).status_code == 403
    client.force_login(world["supervisor_a"])
    assert client.get(url).status_code == 405  # never on GET
    assert client.post(url).status_code == 302
    assert [e.kind for e in fresh_bus.replay(hall.pk, 0)[0]] == ["display.test"]


def test_kiosk_notices_fragment_accepts_the_kiosk_pages_own_cookie(client, world, kiosk_token):
    """The kiosk page (queueing) pairs with its own cookie; the notices fragment it polls must accept it."""
    client.cookies["tw_kiosk"] = kiosk_token
    assert client.get(reverse("floor:kiosk_notices", args=[world["hall_a"].pk])).status_code == 200
    assert client.get(reverse("floor:kiosk_notices", args=[world["hall_b"].pk])).status_code == 403


def test_two_greeters_pressing_accompaniment_at_once_both_get_it_on(client, world):
    """BIZ-4: the button sends the state it switches to, so a second press from a stale page does not undo the
    first (a blind toggle would switch accompaniment back off)."""
    ticket = _issue(world)
    client.force_login(world["greeter_a"])
    url = reverse("floor:greeter_flag", args=[world["hall_a"].pk, ticket.pk])
    client.post(url, {"flag": "accompaniment", "value": "on"})
    client.post(url, {"flag": "accompaniment", "value": "on"})  # the other tablet still showed "off"
    ticket.refresh_from_db()
    assert ticket.needs_accompaniment is True
    client.post(url, {"flag": "form_help", "value": "on"})
    client.post(url, {"flag": "form_help", "value": "off"})
    ticket.refresh_from_db()
    assert ticket.needs_form_help is False


def test_board_shows_each_counters_calling_profile(client, world):
    """BIZ-4 (issue 10 §4): the supervisor sees which work profile each counter runs."""
    f.counter(world["hall_a"], 1)
    f.counter(world["hall_a"], 2, ratio=3)
    client.force_login(world["supervisor_a"])
    html = client.get(reverse("floor:board_panel", args=[world["hall_a"].pk])).content.decode()
    assert "叫号方式：优先客户先叫" in html and "叫号方式：优先：普通 = 1:3" in html
