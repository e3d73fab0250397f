"""Issue 10 §2 / BIZ-4: every ticket says 「过号请到引导台重新激活」 — the greeter tablet reactivates a no-show within the
standard's window (``queue.reactivate_minutes``, 30 min in v1), one tap from the greeter's home."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from queueing.models import Ticket, TicketStatus
from queueing.services import ticket_call_next, ticket_issue, ticket_no_show
from tests import factories as f

pytestmark = pytest.mark.django_db


def _no_show(world, time_machine):
    time_machine.move_to(timezone.now().replace(hour=2, minute=0), tick=False)  # 10:00 Asia/Shanghai
    c1 = f.counter(world["hall_a"], 1)
    ticket = ticket_issue(hall=world["hall_a"], business_type=world["basic"])
    ticket_call_next(counter=c1, clerk=world["clerk_a"])
    ticket_no_show(ticket=Ticket.objects.get(pk=ticket.pk), clerk=world["clerk_a"], counter=c1)
    return ticket


def test_greeter_reactivates_a_no_show_within_the_window(client, world, time_machine):
    ticket = _no_show(world, time_machine)
    time_machine.shift(timedelta(minutes=10))
    client.force_login(world["greeter_a"])
    page = client.get(reverse("floor:greeter", args=[world["hall_a"].pk])).content.decode()
    url = reverse("floor:greeter_reactivate", args=[world["hall_a"].pk, ticket.pk])
    assert url in page and "20 分钟内可激活" in page
    r = client.post(url, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "已重新激活" in r.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING


def test_reactivation_after_the_window_is_refused_and_shown(client, world, time_machine):
    ticket = _no_show(world, time_machine)
    time_machine.shift(timedelta(minutes=31))
    client.force_login(world["greeter_a"])
    page = client.get(reverse("floor:greeter", args=[world["hall_a"].pk])).content.decode()
    url = reverse("floor:greeter_reactivate", args=[world["hall_a"].pk, ticket.pk])
    assert url not in page and "已超过重新激活时限" in page
    r = client.post(url, headers={"HX-Request": "true"})  # a tablet that still shows the old list
    assert r.status_code == 400 and "已超过过号重新激活的时限" in r.content.decode()
    assert 'id="greeter-list"' in r.content.decode()  # a fragment the page swaps in (htmx-errors.js)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NO_SHOW


@pytest.mark.parametrize("persona, status", [("clerk_a", 403), ("clerk_b", 404)])
def test_reactivation_needs_the_greeter_right_in_that_hall(client, world, time_machine, persona, status):
    ticket = _no_show(world, time_machine)
    client.force_login(world[persona])
    r = client.post(reverse("floor:greeter_reactivate", args=[world["hall_a"].pk, ticket.pk]))
    assert r.status_code == status


def test_greeter_home_card_is_one_tap_and_promises_only_what_opens(client, world):
    client.force_login(world["greeter_a"])
    home = client.get("/").content.decode()
    assert reverse("floor:greeter_home") in home
    assert "应急模式" not in home and "公告" not in home  # the greeter cannot open either
    r = client.get(reverse("floor:greeter_home"))
    assert r.status_code == 302 and r.url == reverse("floor:greeter", args=[world["hall_a"].pk])


def test_greeter_flag_requires_login(client, world):
    ticket = ticket_issue(hall=world["hall_a"], business_type=world["basic"])
    r = client.post(
        reverse("floor:greeter_flag", args=[world["hall_a"].pk, ticket.pk]), {"flag": "form_help"}
    )
    assert r.status_code == 302 and "/accounts/login/" in r.url
