"""Issue 10 §5: the queue hot path refuses whatever Django refuses, also for changes no Django signal announces —
a direct SQL UPDATE, ``QuerySet.update()``, ``bulk_update()``, an expired session, a token moved to another hall
or kind (database triggers NOTIFY, migration queueing.0004; the session expiry is checked on lookup) — and it
applies ALLOWED_HOSTS and the HTTPS redirect as Django does (400 / 301)."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from integrations.models import ApiToken, TokenKind
from queueing import services
from queueing.models import Ticket, TicketStatus
from staff.models import HallAssignment, HallRole
from tests import factories as f
from tests.queueing.asgi_client import (  # noqa: F401 - cold_hot_path is a fixture
    act,
    cold_hot_path,
    forget_hot_memos,
    hot_expected,
    http,
    is_hot,
    issue,
    said,
    staff_headers,
    warm_session,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("cold_hot_path")]
needs_pg = pytest.mark.skipif(not hot_expected(), reason="the hot path runs on PostgreSQL only")


def _heard(before: int, seconds: float = 5.0) -> bool:
    from queueing.hotpath import identity

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if identity.generation() != before:
            return True
        time.sleep(0.02)
    return False


def _warm_clerk(hall):
    clerk = f.user("clerk_x", hall_roles=[(hall["hall_a"], HallRole.CLERK)])
    for _ in range(3):
        services.ticket_issue(hall=hall["hall_a"], business_type=hall["basic"])
    headers = staff_headers(clerk)
    forget_hot_memos()
    warm_session(headers, hall["c1"].pk)
    return clerk, headers


@needs_pg
@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ("sql update deactivates the user", 401, "unauthorized"),
        ("queryset update makes the clerk a greeter", 403, "forbidden"),
        ("bulk update withdraws the hall", 404, "not_found"),
    ],
)
def test_a_change_without_any_signal_is_refused_as_django_refuses_it(hall, change, status, code):
    from queueing.hotpath import identity

    clerk, headers = _warm_clerk(hall)
    before = identity.generation()
    if change.startswith("sql"):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE auth_user SET is_active = false WHERE id = %s", [clerk.pk])
    elif change.startswith("queryset"):
        HallAssignment.objects.filter(user=clerk).update(role=HallRole.GREETER)
    else:
        rows = list(HallAssignment.objects.filter(user=clerk))
        for row in rows:
            row.hall = hall["hall_b"]
        HallAssignment.objects.bulk_update(rows, ["hall"])
    assert _heard(before), "the database trigger's NOTIFY was not heard"
    serving = Ticket.objects.get(status=TicketStatus.SERVING)
    finish = {"outcome": "done", "business_type_ids": [hall["basic"].pk]}
    r = act(headers, hall["c1"].pk, serving.pk, "finish", finish)
    assert not is_hot(r) and r.status_code == status, r.content
    assert Ticket.objects.get(pk=serving.pk).status == TicketStatus.SERVING


@needs_pg
def test_an_expired_session_is_refused_at_once(hall, time_machine):
    """No row changes when a session expires: the hot path checks the expiry Django would check."""
    clerk, headers = _warm_clerk(hall)
    from django.conf import settings

    time_machine.move_to(time.time() + settings.SESSION_COOKIE_AGE + 5, tick=True)
    serving = Ticket.objects.get(status=TicketStatus.SERVING)
    r = act(headers, hall["c1"].pk, serving.pk, "start")
    assert not is_hot(r)
    assert r.status_code in (302, 401, 403)
    assert Ticket.objects.get(pk=serving.pk).status == TicketStatus.SERVING


@needs_pg
@pytest.mark.parametrize("change", ["hall", "kind"])
def test_a_token_moved_by_update_to_another_hall_or_kind_is_not_served_hot(hall, change):
    from queueing.hotpath import identity

    kiosk, token = hall["kiosk"], hall["token"]
    assert issue(kiosk, hall["basic"].pk).status_code == 201  # Django vouches for it
    assert is_hot(issue(kiosk, hall["basic"].pk))
    before = identity.generation()
    if change == "hall":
        ApiToken.objects.filter(pk=token.pk).update(hall=hall["hall_b"])
    else:
        ApiToken.objects.filter(pk=token.pk).update(kind=TokenKind.DISPLAY)
    assert _heard(before)
    r = issue(kiosk, hall["basic"].pk)
    assert not is_hot(r)
    if change == "hall":
        assert r.status_code == 201 and Ticket.objects.get(pk=r.json()["id"]).hall_id == hall["hall_b"].pk
    else:
        assert r.status_code in (401, 403)
    assert Ticket.objects.filter(hall=hall["hall_a"]).count() == 2


@needs_pg
def test_allowed_hosts_and_the_https_redirect_hold_on_the_hot_path(hall, settings):
    kiosk = hall["kiosk"]
    assert issue(kiosk, hall["basic"].pk).status_code == 201
    assert is_hot(issue(kiosk, hall["basic"].pk))
    bad_host = http(
        "POST",
        "/api/v1/queue/kiosk/tickets",
        headers={**kiosk, "Host": "evil.example.org"},
        body={"business_type_id": hall["basic"].pk},
    )
    assert bad_host.status_code == 400 and not is_hot(bad_host)
    # Django's SecurityMiddleware read its settings when the app started; the hot path reads them per request. With
    # the redirect on, a plain-HTTP request is never served hot (Django answers it: 301 in production).
    settings.SECURE_SSL_REDIRECT = True
    plain = issue(kiosk, hall["basic"].pk)
    assert not is_hot(plain)
    proxied = issue({**kiosk, "X-Forwarded-Proto": "https"}, hall["basic"].pk)
    assert proxied.status_code == 201
