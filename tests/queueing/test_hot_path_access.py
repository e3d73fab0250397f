"""The queue hot path over HTTP (tingwu.asgi): which requests it answers, credentials that changed, concurrency.

The differential run of a whole scripted day is in test_hot_path_http.py; shared helpers in asgi_client.py.
"""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from integrations.models import token_revoke
from queueing import services
from queueing.models import (
    DailySequence,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from staff.models import HallAssignment, HallRole
from tests import factories as f
from tests.queueing.asgi_client import (  # noqa: F401 - cold_hot_path is a fixture
    API,
    PHONE,
    act,
    assert_same_headers,
    cold_hot_path,
    forget_hot_memos,
    hot_expected,
    http,
    http_together,
    is_hot,
    issue,
    kiosk_headers,
    run_on_loop,
    said,
    staff_headers,
    warm_session,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("cold_hot_path")]


# --- 2. which requests the hot path answers --------------------------------------------------------------------


def test_after_one_warm_up_per_credential_the_common_requests_are_served_hot(hall):
    """The first request of a kiosk token and of a staff session goes through Django (which vouches for the
    credential); later issue / call-next / start / finish are served hot on PostgreSQL, never on SQLite. The unusual
    cases — green channel (BIZ-1.2), missing materials (BIZ-1.1), a paused counter — still go to Django."""
    hot = hot_expected()
    basic, c1, kiosk = hall["basic"].pk, hall["c1"].pk, hall["kiosk"]
    clerk = staff_headers(hall["clerk_a"])
    forget_hot_memos()

    first = issue(kiosk, basic)
    assert said(first, "number") == (201, "A001", False)
    elderly = issue(kiosk, basic, priority_kind="elderly")  # BIZ-4
    assert said(elderly, "number") == (201, "A002", hot)
    assert_same_headers(first, elderly)

    called = act(clerk, c1)  # the session's first request: Django
    assert said(called, "number") == (200, "A002", False)
    started = act(clerk, c1, called.json()["id"], "start")
    assert said(started, "limit_minutes") == (200, 15, hot)  # BIZ-2.2
    assert_same_headers(called, started)
    done = {"outcome": "done", "business_type_ids": [basic]}
    assert said(act(clerk, c1, called.json()["id"], "finish", done), "within_limit") == (200, True, hot)
    called = act(clerk, c1)
    assert said(called, "number") == (200, "A001", hot)
    assert is_hot(act(clerk, c1, called.json()["id"], "start")) == hot

    # The cases the hot path leaves to Django, answered as Django answers them.
    assert said(issue(kiosk, basic, green_channel_mobile=PHONE), "green_channel") == (201, True, False)
    # BIZ-4: a wheelchair user's ticket (called to a low counter) is Django's to issue, flag stored.
    assert said(issue(kiosk, basic, needs_low_counter=True), "needs_low_counter") == (201, True, False)
    missing = {"outcome": "materials_missing", "business_type_ids": [basic], "brought_material_ids": []}
    r = act(clerk, c1, called.json()["id"], "finish", missing)
    assert said(r, "outcome") == (200, "materials_missing", False)
    assert Ticket.objects.get(number="A001").missing_materials.get().name == "身份证原件"
    assert said(act(clerk, hall["paused"].pk)) == (409, "counter_not_open", False)
    assert said(act(clerk, c1), "number") == (200, "A003", hot)  # the green channel first (BIZ-1.2)


# --- 3. the credential cache never outlives Django's verdict ---------------------------------------------------


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ("logout", 401, "unauthorized"),
        ("role withdrawn", 404, "not_found"),
        ("role changed to greeter", 403, "forbidden"),
        ("user deactivated", 401, "unauthorized"),
        ("password changed", 401, "unauthorized"),
    ],
)
def test_a_changed_staff_credential_is_refused_at_once_as_django_refuses_it(hall, change, status, code):
    """After logout, a withdrawn or changed role, a deactivated user or a new password, the same request headers
    replayed a moment later are refused exactly as Django refuses them, and nothing changes."""
    clerk = f.user("clerk_x", hall_roles=[(hall["hall_a"], HallRole.CLERK)])
    for _ in range(3):
        services.ticket_issue(hall=hall["hall_a"], business_type=hall["basic"])
    headers = staff_headers(clerk)
    forget_hot_memos()
    warm_session(headers, hall["c1"].pk)

    assignment = HallAssignment.objects.get(user=clerk)
    if change == "logout":  # through the ASGI app, as the browser's logout button does
        assert http("POST", "/accounts/logout/", headers=headers).status_code in (200, 302)
    elif change == "role withdrawn":
        assignment.delete()
    elif change == "role changed to greeter":
        assignment.role = HallRole.GREETER
        assignment.save()
    elif change == "user deactivated":
        clerk.is_active = False
        clerk.save()  # ends the user's sessions (staff.signals)
    else:
        clerk.set_password("Another@Pass2026")
        clerk.save()  # the session's auth hash no longer matches

    serving = Ticket.objects.get(status=TicketStatus.SERVING)
    finish = {"outcome": "done", "business_type_ids": [hall["basic"].pk]}
    for r in (act(headers, hall["c1"].pk, serving.pk, "finish", finish), act(headers, hall["c1"].pk)):
        assert said(r) == (status, code, False)
    assert Ticket.objects.filter(status=TicketStatus.WAITING).count() == 2
    assert Ticket.objects.get(pk=serving.pk).status == TicketStatus.SERVING


def test_one_clerks_session_write_does_not_send_every_other_clerk_back_to_django(hall):
    """The idle-timeout stamp saves a clerk's session row once a minute. That used to empty the whole credential memo
    of the process, so every clerk's next request paid Django's full path again (measured: a wave of re-checks
    every few seconds under load). Only a change to a credential drops what was remembered (see above)."""
    from django.contrib.sessions.models import Session

    other = f.user("clerk_y", hall_roles=[(hall["hall_a"], HallRole.CLERK)])
    c2 = f.counter(hall["hall_a"], 2, serves_all=True)
    for _ in range(4):
        services.ticket_issue(hall=hall["hall_a"], business_type=hall["basic"])
    mine, theirs = staff_headers(hall["clerk_a"]), staff_headers(other)
    forget_hot_memos()
    warm_session(mine, hall["c1"].pk)
    warm_session(theirs, c2.pk)

    key = mine["Cookie"].split(";")[0].split("=", 1)[1]
    Session.objects.get(session_key=key).save()  # what SessionStore.save does for the stamp

    serving = Ticket.objects.get(counter=c2, status=TicketStatus.SERVING)
    done = {"outcome": "done", "business_type_ids": [hall["basic"].pk]}
    assert said(act(theirs, c2.pk, serving.pk, "finish", done), "outcome") == (200, "done", hot_expected())


@pytest.mark.parametrize("change", ["revoked", "deleted", "moved to hall B"])
def test_a_changed_kiosk_token_takes_effect_at_once(hall, change):
    """A revoked or deleted token is refused right after it issued hot, exactly like a token Django never saw warm;
    a token moved to another hall issues there (ENV-2.2: B's own numbering), never in its old hall."""
    kiosk, token = hall["kiosk"], hall["token"]
    assert issue(kiosk, hall["basic"].pk).status_code == 201  # Django vouches for the token
    assert is_hot(issue(kiosk, hall["basic"].pk)) == hot_expected()
    control_token, control = kiosk_headers(hall["hall_a"])  # the same change on a token that was never warm

    for t in (token, control_token):
        if change == "revoked":
            token_revoke(token=t)
        elif change == "deleted":
            t.delete()
        else:
            t.hall = hall["hall_b"]
            t.save()
    r = issue(kiosk, hall["basic"].pk)
    assert not is_hot(r)
    if change == "moved to hall B":
        assert (r.status_code, r.json()["number"]) == (201, "A001")
        assert Ticket.objects.get(pk=r.json()["id"]).hall_id == hall["hall_b"].pk
    else:
        # Django's own answer: no valid token, so the session check runs and fails its CSRF check first (403).
        expected = issue(control, hall["basic"].pk)
        assert (r.status_code, r.json()) == (expected.status_code, expected.json())
        assert r.status_code in (401, 403)
    assert Ticket.objects.filter(hall=hall["hall_a"]).count() == 2


def test_a_renumbered_counter_answers_with_its_new_number(hall):
    """Counter rows are memoised by the hot path: saving a counter must be seen by the very next call."""
    services.ticket_issue(hall=hall["hall_a"], business_type=hall["basic"])
    services.ticket_issue(hall=hall["hall_a"], business_type=hall["basic"])
    headers, c1 = staff_headers(hall["clerk_a"]), hall["c1"]
    warm_session(headers, c1.pk)
    serving = Ticket.objects.get(status=TicketStatus.SERVING)
    c1.number = 7
    c1.save()
    r = act(
        headers, c1.pk, serving.pk, "finish", {"outcome": "done", "business_type_ids": [hall["basic"].pk]}
    )
    assert (r.status_code, r.json()["counter"]) == (200, 7)
    assert said(act(headers, c1.pk), "counter") == (200, 7, hot_expected())


def test_a_forged_csrf_header_is_refused_even_right_after_a_good_request(hall):
    """The session cookie alone proves nothing: a wrong or missing X-CSRFToken, or a foreign Origin, is refused with
    403 by Django's CSRF check, even while the same session is warm on the hot path."""
    for _ in range(2):
        services.ticket_issue(hall=hall["hall_a"], business_type=hall["basic"])
    headers = staff_headers(hall["clerk_a"])
    forget_hot_memos()
    warm_session(headers, hall["c1"].pk)
    serving = Ticket.objects.get(status=TicketStatus.SERVING)
    finish = {"outcome": "done", "business_type_ids": [hall["basic"].pk]}
    forged = [
        headers | {"X-CSRFToken": "x" * 32},
        {k: v for k, v in headers.items() if k != "X-CSRFToken"},
        headers | {"Origin": "http://evil.example"},
    ]
    for bad in forged:
        for r in (act(bad, hall["c1"].pk, serving.pk, "finish", finish), act(bad, hall["c1"].pk)):
            assert (r.status_code, is_hot(r)) == (403, False), bad
    assert Ticket.objects.get(pk=serving.pk).status == TicketStatus.SERVING
    assert Ticket.objects.filter(status=TicketStatus.WAITING).count() == 1
    # The genuine headers still work (and are still warm).
    r = act(headers, hall["c1"].pk, serving.pk, "finish", finish)
    assert (r.status_code, is_hot(r)) == (200, hot_expected())


# --- 4. concurrency through the ASGI app -----------------------------------------------------------------------

COUNTERS = 16


def test_sixteen_counters_calling_at_once_never_share_or_lose_a_ticket(hall):
    """16 counters call at once, round after round, over 40 waiting tickets: each ticket is claimed once, none is
    left behind, every claim is served to the end (docs/queueing.md, "Atomicity")."""
    counters = [hall["c1"], *(f.counter(hall["hall_a"], n) for n in range(11, 10 + COUNTERS))]
    warm_up = services.ticket_issue(hall=hall["hall_a"], business_type=hall["complex"])
    for _ in range(40):
        services.ticket_issue(hall=hall["hall_a"], business_type=hall["basic"])
    clerk = staff_headers(hall["clerk_a"])
    forget_hot_memos()
    # One call through Django warms the session; the complex ticket (B001) is the oldest so it is the one taken.
    r = act(clerk, counters[0].pk)
    assert r.json()["id"] == warm_up.pk
    act(clerk, counters[0].pk, warm_up.pk, "start")
    act(
        clerk,
        counters[0].pk,
        warm_up.pk,
        "finish",
        {"outcome": "done", "business_type_ids": [hall["complex"].pk]},
    )

    claimed: list[int] = []
    hot_calls = 0
    done = {"outcome": "done", "business_type_ids": [hall["basic"].pk]}
    for _round in range(10):
        calls = http_together([(f"{API}/counters/{c.pk}/call-next", clerk, None) for c in counters])
        assert {r.status_code for r in calls} <= {200, 204}, [r.text for r in calls if r.status_code >= 300]
        got = [(c, r.json()["id"]) for c, r in zip(counters, calls, strict=True) if r.status_code == 200]
        hot_calls += sum(is_hot(r) for r in calls)
        if not got:
            break
        claimed += [tid for _c, tid in got]
        for action, body in (("start", None), ("finish", done)):
            rs = http_together([(f"{API}/counters/{c.pk}/tickets/{t}/{action}", clerk, body) for c, t in got])
            assert [r.status_code for r in rs] == [200] * len(got), [r.text for r in rs]
    assert len(claimed) == len(set(claimed)) == 40  # no ticket twice, none lost
    assert Ticket.objects.filter(status=TicketStatus.DONE).count() == 41
    assert (hot_calls > 0) == hot_expected()


def test_sixteen_kiosk_issues_at_once_get_gapless_numbers(hall):
    """ENV-2.2: 16 tickets issued at the same moment get A001…A016, each once, with one issued event each."""
    kiosk = hall["kiosk"]
    assert issue(kiosk, hall["complex"].pk).json()["number"] == "B001"  # warms the token; prefix B, not A
    rs = http_together([(f"{API}/kiosk/tickets", kiosk, {"business_type_id": hall["basic"].pk})] * COUNTERS)
    assert [r.status_code for r in rs] == [201] * COUNTERS
    assert sorted(r.json()["number"] for r in rs) == [f"A{i:03d}" for i in range(1, COUNTERS + 1)]
    assert any(map(is_hot, rs)) == hot_expected()
    assert DailySequence.objects.get(hall=hall["hall_a"], prefix="A").last_seq == COUNTERS
    assert TicketEvent.objects.filter(kind="issued", ticket__prefix="A").count() == COUNTERS


def test_a_double_tap_at_the_kiosk_issues_one_ticket(hall):
    """8 requests with one idempotency key at once (a double tap, retries) get the same first ticket, 201 each."""
    kiosk = hall["kiosk"]
    assert issue(kiosk, hall["complex"].pk).status_code == 201  # warms the token (B001)
    body = {"business_type_id": hall["basic"].pk, "idempotency_key": "tap"}
    taps = http_together([(f"{API}/kiosk/tickets", kiosk, body)] * 8)
    assert [r.status_code for r in taps] == [201] * 8, [r.text for r in taps]
    assert {r.json()["number"] for r in taps} == {"A001"}
    assert DailySequence.objects.get(hall=hall["hall_a"], prefix="A").last_seq == 1


def test_a_double_click_on_call_next_claims_one_ticket(hall):
    """8 call-next of one counter at once claim one ticket; the others get ``counter_busy`` (409) as from Django."""
    clerk, c1 = staff_headers(hall["clerk_a"]), hall["c1"].pk
    for _ in range(3):
        services.ticket_issue(hall=hall["hall_a"], business_type=hall["basic"])
    warm = act(clerk, c1).json()  # the session's first request: Django
    act(clerk, c1, warm["id"], "start")
    act(clerk, c1, warm["id"], "finish", {"outcome": "done", "business_type_ids": [hall["basic"].pk]})
    clicks = http_together([(f"{API}/counters/{c1}/call-next", clerk, None)] * 8)
    assert sorted(r.status_code for r in clicks) == [200] + [409] * 7, [r.text for r in clicks]
    assert {r.json()["code"] for r in clicks if r.status_code == 409} == {"counter_busy"}
    assert Ticket.objects.filter(counter_id=c1, status=TicketStatus.CALLED).count() == 1


def test_when_the_hot_path_cannot_reach_the_database_django_answers(hall, monkeypatch):
    """A database the hot path cannot connect to (a restart, max_connections reached) must not lose requests: 16
    issues at once are all answered — by Django — with gapless numbers (ENV-2.2), none hangs."""
    try:
        from queueing.hotpath import db
    except ImportError:  # no hot path: Django alone
        db = None
    if db is not None and hasattr(db, "_connect"):

        async def refused():
            await asyncio.sleep(0.2)  # a refusal takes a round trip or two: other requests queue meanwhile
            raise ConnectionRefusedError("sorry, too many clients already (test)")

        monkeypatch.setattr(db, "_connect", refused)
        from queueing.hotpath import lite

        def unreadable():
            raise sqlite3.OperationalError("unable to open database file (test)")

        monkeypatch.setattr(lite, "_conn", unreadable)
    kiosk = hall["kiosk"]
    assert issue(kiosk, hall["complex"].pk).status_code == 201  # Django vouches for the token
    rs = http_together([(f"{API}/kiosk/tickets", kiosk, {"business_type_id": hall["basic"].pk})] * COUNTERS)
    assert [(r.status_code, is_hot(r)) for r in rs] == [(201, False)] * COUNTERS
    assert sorted(r.json()["number"] for r in rs) == [f"A{i:03d}" for i in range(1, COUNTERS + 1)]


def test_the_hot_call_sends_a_wheelchair_user_to_the_open_low_counter(hall):
    """BIZ-4 / issue 10 §6 on the hot path (CALL_SQL mirrors ``call_candidates``): counter 1 skips the wheelchair user
    while the low counter is open; the low counter calls them."""
    from queueing.services import ticket_issue

    hot = hot_expected()
    low = f.counter(hall["hall_a"], 5, serves_all=True)
    low.is_accessible = True
    low.save()
    clerk = staff_headers(hall["clerk_a"])
    forget_hot_memos()
    done = {"outcome": "done", "business_type_ids": [hall["basic"].pk]}
    for counter in (hall["c1"].pk, low.pk):  # each counter's first call goes through Django
        warm = ticket_issue(hall=hall["hall_a"], business_type=hall["basic"])
        called = act(clerk, counter)
        assert said(called, "number") == (200, warm.number, False)
        act(clerk, counter, called.json()["id"], "start")
        act(clerk, counter, called.json()["id"], "finish", done)
    wheel = ticket_issue(hall=hall["hall_a"], business_type=hall["basic"], needs_low_counter=True)
    normal = ticket_issue(hall=hall["hall_a"], business_type=hall["basic"])
    called = act(clerk, hall["c1"].pk)
    assert said(called, "number") == (
        200,
        normal.number,
        hot,
    )  # counter 1 is not low: it skips the wheelchair user
    act(clerk, hall["c1"].pk, called.json()["id"], "start")
    act(clerk, hall["c1"].pk, called.json()["id"], "finish", done)
    assert act(clerk, hall["c1"].pk).status_code == 204
    assert said(act(clerk, low.pk), "number") == (200, wheel.number, hot)
