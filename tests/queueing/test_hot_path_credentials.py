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
needs_hot = pytest.mark.skipif(not hot_expected(), reason="no hot path on this database")


def _mark() -> tuple[int, int | None]:
    """Where the change announcements stand: this process's generation (PostgreSQL: NOTIFY heard) and, on SQLite,
    the credential version the triggers bump (each hot transaction checks it)."""
    from queueing.hotpath import identity

    return identity.generation(), _version()


def _version() -> int | None:
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM tingwu_hot_path_version")
        return cursor.fetchone()[0]


def _heard(mark: tuple[int, int | None], seconds: float = 5.0) -> bool:
    from queueing.hotpath import identity

    before, version = mark
    if connection.vendor == "sqlite":
        return _version() != version  # the next hot transaction sees it: nothing is sent to other processes
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


@needs_hot
@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ("sql update deactivates the user", 401, "unauthorized"),
        ("queryset update makes the clerk a greeter", 403, "forbidden"),
        ("bulk update withdraws the hall", 404, "not_found"),
    ],
)
def test_a_change_without_any_signal_is_refused_as_django_refuses_it(hall, change, status, code):
    clerk, headers = _warm_clerk(hall)
    before = _mark()
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
    assert _heard(before), "the database trigger's NOTIFY (PostgreSQL) or version bump (SQLite) was not heard"
    serving = Ticket.objects.get(status=TicketStatus.SERVING)
    finish = {"outcome": "done", "business_type_ids": [hall["basic"].pk]}
    r = act(headers, hall["c1"].pk, serving.pk, "finish", finish)
    assert not is_hot(r) and r.status_code == status, r.content
    assert Ticket.objects.get(pk=serving.pk).status == TicketStatus.SERVING


@needs_hot
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


@needs_hot
@pytest.mark.parametrize("change", ["hall", "kind"])
def test_a_token_moved_by_update_to_another_hall_or_kind_is_not_served_hot(hall, change):
    kiosk, token = hall["kiosk"], hall["token"]
    assert issue(kiosk, hall["basic"].pk).status_code == 201  # Django vouches for it
    assert is_hot(issue(kiosk, hall["basic"].pk))
    before = _mark()
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


@needs_hot
@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's version triggers (PostgreSQL: processes test)"
)
def test_on_sqlite_a_change_by_another_program_is_refused_at_once(hall):
    """Another program (its own sqlite3 connection, no Django at all) withdraws the clerk's role: the triggers bump
    the credential version, and the next hot request — the same headers, well within the TTL — goes to Django,
    which refuses it (issue 10 §5 on the embedded default)."""
    import sqlite3

    from django.conf import settings

    clerk, headers = _warm_clerk(hall)  # its start was served hot
    serving = Ticket.objects.get(status=TicketStatus.SERVING)
    other = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30)
    try:
        with other:
            other.execute("DELETE FROM staff_hallassignment WHERE user_id = ?", [clerk.pk])
    finally:
        other.close()
    finish = {"outcome": "done", "business_type_ids": [hall["basic"].pk]}
    r = act(headers, hall["c1"].pk, serving.pk, "finish", finish)
    assert not is_hot(r) and r.status_code == 404, r.content
    assert Ticket.objects.get(pk=serving.pk).status == TicketStatus.SERVING


@needs_hot
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
