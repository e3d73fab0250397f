"""Issue 10 §3: the zh-Hans staff UI speaks the hall's language. Crawl the main pages each role reaches from its
home menu and fail on ASCII words outside an allow-list (raw codes such as PLAN_CHANGE, units such as ``h``, Django's
English defaults such as "Select an option"). Text inside <code>, <kbd>, <script>, <style> and attribute values is not
shown as prose and is skipped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from lib import fullwidth
from tingwu.menu import items_for

pytestmark = pytest.mark.django_db

# Words a Chinese hall reads as they are: the product's name, acronyms in everyday Chinese use, clause IDs of the
# spec (CMP-2.1 …), file formats, the language switch's own English entry.
ALLOWED = {
    "Tingwu",
    "English",
    "API",
    "PDF",
    "Excel",
    "QR",
    "ID",
    "SMS",
    "VIP",
    "APP",
    "WiFi",
    "Wi",
    "Fi",
    "IT",
    "CMP",
    "BIZ",
    "SUP",
    "STF",
    "ENV",
    "GEN",
    "SLA",
    "OpenAPI",
    "HH",
    "MM",
    "YYYY",
    "DD",
    "KPI",
    "PIN",
    "MB",
    "CSV",
}
SKIP_TAGS = {"code", "kbd", "script", "style", "option"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.depth += 1
        for name, value in attrs:  # what the user reads in attributes: placeholders, titles, aria labels
            if name in ("placeholder", "title", "aria-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def _english_words(html: str, extra_allowed: set[str]) -> set[str]:
    parser = _Text()
    parser.feed(html)
    text = re.sub(r"https?://\S+", " ", " ".join(parser.parts))  # a link printed under its QR code
    words = set(re.findall(r"[A-Za-z][A-Za-z_]+", text))
    return {w for w in words if w not in ALLOWED and w not in extra_allowed}


def _option_words(html: str, extra_allowed: set[str]) -> set[str]:
    """<option> labels are read too (the "- Select an option -" finding)."""
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", html)
    return {w for label in labels for w in re.findall(r"[A-Za-z][A-Za-z_]+", label)} - ALLOWED - extra_allowed


def _ascii_punctuation(html: str) -> list[str]:
    """Issue 10 §3: ASCII , : ; ( ) ! ? touching Chinese text, or curly quotes, in what the user reads."""
    parser = _Text()
    parser.feed(html)
    return fullwidth.find(" ".join(parser.parts))


def _outbox_row(world):
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


ROLES = ["clerk_a", "greeter_a", "supervisor_a", "manager_a", "inspector", "auditor", "hq"]


def _crawl(client, pages, extra) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    found: dict[str, set[str]] = {}
    punctuation: dict[str, list[str]] = {}
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        words = _english_words(html, extra) | _option_words(html, extra)
        if words:
            found[url] = words
        marks = _ascii_punctuation(html)
        if marks:
            punctuation[url] = marks
    return found, punctuation


def _extra(user) -> set[str]:
    # Data that is legitimately Latin: hall codes and user names of the fixture. Business codes (PLAN, …) are not:
    # staff read a business by its name.
    return {u.username for u in type(user).objects.all()} | {"HA", "HB", "HC", "RA", "RB"}


@pytest.mark.parametrize("role", ROLES)
def test_zh_hans_staff_pages_show_no_english_words(client, world, role):
    user = world[role]
    client.force_login(user)
    # The home menu's pages, plus the reference pages the findings named (standard detail and compare with units
    # and the calendar value, the catalogue cards, the outbox with an SLA notice to the default WeCom robot).
    _outbox_row(world)
    pages = ["/"] + [item["url"] for item in items_for(user)]
    pages += ["/standard/v1/", "/standard/compare/?left=1&right=1", "/catalog/", "/notifications/"]
    pages += ["/catalog/guide/PLAN/", "/catalog/guide/PLAN/print/", "/evaluations/follow-ups/"]
    found, _punctuation = _crawl(client, pages, _extra(user))
    assert found == {}, found


@pytest.fixture
def records(world):
    """One record of each kind a detail page shows: a ticket at a counter, a complaint, a consultation."""
    from catalog.models import BusinessType
    from complaints.models import Channel as ComplaintChannel
    from complaints.services import complaint_intake
    from consultations.models import Channel
    from consultations.services import consultation_record
    from queueing.services import ticket_issue
    from tests import factories as f

    hall = world["hall_a"]
    plan = BusinessType.objects.get(code="PLAN")
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
        channel=Channel.ONSITE,
        customer_name="刘洋",
        contact_phone="18800188006",
        question="国际漫游流量包在哪些国家可以使用？",
        business_type=plan,
        actor=world["greeter_a"],
    )
    _outbox_row(world)
    return {
        **world,
        "counter": f.counter(hall, 1, serves_all=True),
        "ticket": ticket_issue(hall=hall, business_type=plan),
        "complaint": complaint,
        "consultation": consultation,
    }


@pytest.mark.parametrize("role", ROLES)
def test_zh_hans_staff_pages_use_full_width_punctuation(client, records, role):
    """Issue 10 §3: no ASCII , : ; ( ) ! ? touching Chinese text on any page a role reaches (its menu, the records'
    detail pages, the standard, the catalogue and the outbox), one kind of quotation marks (「」)."""
    user = records[role]
    client.force_login(user)
    hall = records["hall_a"].pk
    pages = ["/"] + [item["url"] for item in items_for(user)]
    pages += [
        f"/complaints/{records['complaint'].pk}/",
        f"/consultations/{records['consultation'].pk}/",
        f"/queue/console/{records['counter'].pk}/",
        f"/floor/halls/{hall}/board/",
        f"/floor/halls/{hall}/greeter/",
        f"/halls/{hall}/",
        "/standard/v1/",
        "/standard/compare/?left=1&right=1",
        "/catalog/",
        "/catalog/guide/PLAN/",
        "/catalog/glossary/?q=卡",
        "/notifications/",
    ]
    _found, punctuation = _crawl(client, list(dict.fromkeys(pages)), _extra(user))
    assert punctuation == {}, punctuation


def test_zh_hans_customer_pages_use_full_width_punctuation(client, records):
    """Issue 10 §3 on what customers read: the kiosk (paired), its ticket, the mobile ticket and its status, the
    public guide and the calling display."""
    from integrations.models import TokenKind, token_create
    from queueing.views.kiosk import COOKIE

    hall = records["hall_a"]
    client.cookies[COOKIE] = token_create(hall=hall, kind=TokenKind.KIOSK, name="kiosk zh")[1]
    display = token_create(hall=hall, kind=TokenKind.DISPLAY, name="display zh")[1]
    token = records["ticket"].public_token
    pages = [
        "/queue/kiosk/",
        f"/queue/kiosk/ticket/{token}/",
        f"/queue/m/{token}/",
        f"/queue/m/{token}/status/",
        "/catalog/guide/PLAN/public/",
    ]
    punctuation = {}
    screens = [(url, {}) for url in pages] + [
        (f"/floor/display/{hall.pk}/", {"HTTP_X_DEVICE_TOKEN": display})
    ]
    for url, headers in screens:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **headers)
        assert response.status_code == 200, url
        marks = _ascii_punctuation(response.content.decode())
        if marks:
            punctuation[url] = marks
    assert punctuation == {}, punctuation


_LINK = re.compile(r'<a\b[^>]*\bhref="(/[^"#]*)"')


@pytest.mark.parametrize("role", ROLES)
def test_no_link_a_role_is_shown_leads_to_a_forbidden_page(client, records, role):
    """A page never offers what its reader cannot open (issue 10 §2, "must not promise what the greeter cannot
    open"): every link on the pages a role reaches answers something other than 403 for that role. The
    evaluations page offered 差评回访 to clerks, inspectors, HQ and auditors, who are refused it."""
    user = records[role]
    client.force_login(user)
    hall = records["hall_a"].pk
    pages = ["/"] + [item["url"] for item in items_for(user)]
    pages += [
        f"/complaints/{records['complaint'].pk}/",
        f"/floor/halls/{hall}/board/",
        "/catalog/guide/PLAN/",
    ]
    links: set[str] = set()
    for url in dict.fromkeys(pages):
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            main = response.content.decode().split("<main", 1)[-1]
            links |= {h.replace("&amp;", "&") for h in _LINK.findall(main) if "logout" not in h}
    forbidden = sorted(h for h in links if client.get(h).status_code == 403)
    assert links and forbidden == [], forbidden
