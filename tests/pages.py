"""The pages every role reaches, in one place for the tests that walk them (issue 10 §3, the language crawls; the
label and phone-width browser checks): the home page, the role's home menu and the records' detail pages.

``records`` (a fixture, registered in tests/conftest.py) puts one of each record a detail page shows in hall A of
the ``world`` fixture: a ticket being handled at counter 1 with others waiting (an elderly customer among them),
a complaint, an online consultation answered as complex (so its page shows the clock's pause form), an SLA notice
in the outbox. ``pages_for(user, records)`` lists what that user is walked through."""

from __future__ import annotations

import pytest

from tingwu.menu import items_for

ROLES = ["clerk_a", "greeter_a", "supervisor_a", "manager_a", "inspector", "auditor", "hq"]


def outbox_row(world):
    """An SLA escalation queued to the default WeCom robot: the outbox shows its template and recipient."""
    from notify.services import notification_enqueue

    notification_enqueue(
        hall=world["hall_a"],
        channel="wecom",
        recipient="default",
        template="sla_escalation",
        context={
            "hall_name": "甲营业厅",
            "subject": "投诉TS-HA-20261202-0001",
            "target": "首次联系",
            "deadline": "2026-12-02 10:00",
            "level": 1,
            "role": "值班主管",
            "name": "王明",
        },
        dedupe_key="crawl:sla",
    )


@pytest.fixture
def records(world):
    from catalog.models import BusinessType
    from complaints.models import Channel as ComplaintChannel
    from complaints.services import complaint_intake
    from consultations.models import Channel
    from consultations.services import consultation_record, consultation_respond
    from queueing.services import handling_start, ticket_call_next, ticket_issue
    from tests import factories as f

    hall = world["hall_a"]
    plan = BusinessType.objects.get(code="PLAN")
    counter = f.counter(hall, 1, serves_all=True)
    f.counter(hall, 2)
    ticket_issue(hall=hall, business_type=plan)
    handled = ticket_call_next(counter=counter, clerk=world["clerk_a"])
    handling_start(ticket=handled, clerk=world["clerk_a"], counter=counter)
    ticket = ticket_issue(hall=hall, business_type=plan)
    ticket_issue(hall=hall, business_type=plan)
    ticket_issue(hall=hall, business_type=world["complex"], priority_kind="elderly")
    complaint = complaint_intake(
        hall=hall,
        channel=ComplaintChannel.ONSITE,
        complainant_name="张桂兰",
        contact_phone="13800138001",
        demand="上月办理的套餐变更一直没生效，还被重复扣费了30元，要求退还",
        business_type=plan,
        actor=world["clerk_a"],
    )
    consultation = consultation_record(
        hall=hall,
        channel=Channel.WECOM,
        customer_name="刘洋",
        contact_phone="18800188006",
        question="国际漫游流量包在哪些国家可以使用？",
        business_type=plan,
        actor=world["greeter_a"],
    )
    consultation_respond(
        consultation=consultation, actor=world["supervisor_a"], answer="正在核实，稍后答复", complex_=True
    )
    outbox_row(world)
    return {
        **world,
        "counter": counter,
        "ticket": ticket,
        "handled": handled,
        "complaint": complaint,
        "consultation": consultation,
    }


def detail_pages(rows) -> list[str]:
    """Pages no menu links to directly: the records' detail pages, the hall's floor pages, the reference pages the
    issue's findings named (standard detail and compare, catalogue, guide and its print form, glossary, outbox)."""
    hall = rows["hall_a"].pk
    return [
        f"/complaints/{rows['complaint'].pk}/",
        f"/consultations/{rows['consultation'].pk}/",
        f"/queue/console/{rows['counter'].pk}/",
        f"/floor/halls/{hall}/board/",
        f"/floor/halls/{hall}/greeter/",
        f"/halls/{hall}/",
        "/standard/v1/",
        "/standard/compare/?left=1&right=1",
        "/catalog/",
        "/catalog/guide/PLAN/",
        "/catalog/guide/PLAN/print/",
        f"/queue/tickets/{rows['ticket'].pk}/supplement/",
        "/catalog/glossary/?q=流量",
        "/notifications/",
        "/evaluations/follow-ups/",
    ]


def menu_pages(user) -> list[str]:
    return ["/"] + [item["url"] for item in items_for(user)]


def pages_for(user, rows) -> list[str]:
    """What ``user`` is walked through: home, its menu, the detail pages (a page it may not open answers 403/404 and
    the walkers skip it)."""
    return list(dict.fromkeys(menu_pages(user) + detail_pages(rows)))


def dense_pages(rows) -> dict[str, list[str]]:
    """The dense staff pages issue 10 §3 named, by the persona who opens them: the clerk console, the greeter tablet,
    the supervisor board, complaint intake, a complaint, a consultation, the service standard."""
    hall = rows["hall_a"].pk
    return {
        "clerk_a": [f"/queue/console/{rows['counter'].pk}/"],
        "supervisor_a": [
            f"/floor/halls/{hall}/greeter/",
            f"/floor/halls/{hall}/board/",
            "/complaints/new/",
            f"/complaints/{rows['complaint'].pk}/",
            f"/consultations/{rows['consultation'].pk}/",
            "/standard/v1/",
        ],
    }


def signed_in(browser, live_server, user, *, language: str = "zh-hans", width: int = 1366, height: int = 800):
    """A browser context signed in as ``user`` (its session cookie, no login form) in ``language``; returns
    (context, page): the caller closes the context."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"},
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page
