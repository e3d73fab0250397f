"""Kiosk, mobile ticket, console, supplement list and records pages (server-rendered)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import TokenKind, token_create
from queueing import services as s
from queueing.models import Ticket, TicketStatus
from queueing.views.kiosk import COOKIE


@pytest.fixture
def kiosk_client(client, floor):
    _token, raw = token_create(hall=floor["hall"], kind=TokenKind.KIOSK, name="kiosk")
    client.cookies[COOKIE] = raw
    return client


def test_kiosk_without_pairing_goes_to_pairing(client, floor):
    assert client.get(reverse("queueing:kiosk")).url == reverse("queueing:kiosk_pair")


def test_pairing_sets_cookie_and_rejects_display_token(client, floor):
    _t, display = token_create(hall=floor["hall"], kind=TokenKind.DISPLAY, name="d")
    assert client.post(reverse("queueing:kiosk_pair"), {"token": display}).status_code == 400
    _t, raw = token_create(hall=floor["hall"], kind=TokenKind.KIOSK, name="k")
    r = client.post(reverse("queueing:kiosk_pair"), {"token": raw})
    assert r.status_code == 302 and r.cookies[COOKIE]["httponly"]


def test_kiosk_issues_priority_ticket_and_prints_it(kiosk_client, floor):
    page = kiosk_client.get(reverse("queueing:kiosk"))
    assert page.status_code == 200 and "套餐变更" in page.content.decode()
    r = kiosk_client.post(
        reverse("queueing:kiosk_issue"),
        {"business_type": floor["basic"].pk, "priority_kind": "elderly", "idempotency_key": "k1"},
    )
    ticket = Ticket.objects.get()
    assert ticket.priority_kind == "elderly" and ticket.source == "kiosk"
    printed = kiosk_client.get(r.url).content.decode()
    assert ticket.number in printed and floor["hall"].missed_number_rule in printed and "<svg" in printed
    # double tap: same key, same ticket
    kiosk_client.post(
        reverse("queueing:kiosk_issue"), {"business_type": floor["basic"].pk, "idempotency_key": "k1"}
    )
    assert Ticket.objects.count() == 1


def test_kiosk_unknown_business_is_refused_and_nothing_saved(kiosk_client, floor):
    r = kiosk_client.post(reverse("queueing:kiosk_issue"), {"business_type": 999999, "idempotency_key": "x"})
    assert r.status_code == 400 and Ticket.objects.count() == 0
    assert "本厅不办理该业务" in r.content.decode()


def test_mobile_page_shows_position_without_login(client, floor):
    s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    t = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    body = client.get(reverse("queueing:mobile_ticket", args=[t.public_token])).content.decode()
    assert t.number in body and "前面还有 1 人" in body
    assert client.get(reverse("queueing:mobile_ticket", args=["nope"])).status_code == 404


def test_console_full_visit_with_missing_materials(client, floor):
    client.force_login(floor["clerk_a"])
    t = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"], priority_kind="disabled")
    c2 = floor["c2"]
    act = lambda a, **d: client.post(reverse("queueing:console_action", args=[c2.pk, a]), d)  # noqa: E731
    assert act("call_next").status_code == 302
    page = client.get(reverse("queueing:console", args=[c2.pk])).content.decode()
    assert t.number in page and "残障人士" in page
    act("start", ticket_id=t.pk)
    optional = floor["basic"].materials.get(mandatory=False)
    mandatory = floor["basic"].materials.get(mandatory=True)
    bad = act("finish", ticket_id=t.pk, outcome="done", business_types=[floor["basic"].pk])
    assert bad.status_code == 400
    r = act(
        "finish",
        ticket_id=t.pk,
        outcome="materials_missing",
        business_types=[floor["basic"].pk],
        brought=[optional.pk],
    )
    assert r.url == reverse("queueing:supplement", args=[t.pk])
    listing = client.get(r.url).content.decode()
    assert mandatory.name in listing and mandatory.how_to_obtain in listing and optional.name not in listing
    t.refresh_from_db()
    assert t.status == TicketStatus.DONE and mandatory.name in t.supplement_sms_text


def test_console_of_other_hall_is_404(client, floor):
    client.force_login(floor["clerk_b"])
    assert client.get(reverse("queueing:console", args=[floor["c1"].pk])).status_code == 404


def test_greeter_cannot_use_console(client, floor):
    client.force_login(floor["greeter_a"])
    assert client.get(reverse("queueing:console", args=[floor["c1"].pk])).status_code == 403


def test_records_page_and_excel(client, floor):
    t = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    s.ticket_call_next(counter=floor["c1"], clerk=floor["clerk_a"])
    s.handling_start(ticket=t, clerk=floor["clerk_a"])
    s.handling_finish(ticket=t, clerk=floor["clerk_a"], outcome="done", business_types=[floor["basic"]])
    client.force_login(floor["manager_a"])
    page = client.get(reverse("queueing:records"), {"hall": floor["hall"].pk}).content.decode()
    assert "100.0%" in page
    r = client.get(reverse("queueing:records_export"), {"hall": floor["hall"].pk})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(floor["clerk_b"])
    assert client.get(reverse("queueing:records"), {"hall": floor["hall"].pk}).status_code == 404


def test_records_default_to_a_hall_where_the_user_may_read_them(client, floor):
    """Manager in hall B but only clerk in hall A: the page opens on B, lists only B, and A stays forbidden."""
    from staff.models import HallRole
    from tests import factories as f

    mixed = f.user(hall_roles=[(floor["hall"], HallRole.CLERK), (floor["hall_b"], HallRole.HALL_MANAGER)])
    client.force_login(mixed)
    r = client.get(reverse("queueing:records"))
    assert r.status_code == 200 and r.context["hall"] == floor["hall_b"]
    assert list(r.context["halls"]) == [floor["hall_b"]]
    assert client.get(reverse("queueing:records"), {"hall": floor["hall"].pk}).status_code == 403
