"""Issue 10 §3: the zh-Hans staff UI speaks the hall's language. Crawl the main pages each role reaches from its
home menu and fail on ASCII words outside an allow-list (raw codes such as PLAN_CHANGE, units such as ``h``, Django's
English defaults such as "Select an option"). Text inside <code>, <kbd>, <script>, <style> and attribute values is not
shown as prose and is skipped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from lib import fullwidth
from tests.pages import ROLES, pages_for

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
    # Data that is legitimately Latin: hall codes, user names of the fixture and the prefixes of record numbers
    # (TS-HA-20261202-0001 for a complaint, ZX-… for a consultation). Business codes (PLAN, …) are not: staff read a
    # business by its name.
    return {u.username for u in type(user).objects.all()} | {"HA", "HB", "HC", "RA", "RB", "TS", "ZX"}


@pytest.mark.parametrize("role", ROLES)
def test_zh_hans_staff_pages_show_no_english_words(client, records, role):
    """The pages a role reaches (tests/pages.py): its menu, the records' detail pages and the reference pages the
    findings named (standard detail and compare with units and the calendar value, the catalogue cards, the outbox
    with an SLA notice to the default WeCom robot)."""
    user = records[role]
    client.force_login(user)
    found, _punctuation = _crawl(client, pages_for(user, records), _extra(user))
    assert found == {}, found


@pytest.mark.parametrize("role", ROLES)
def test_zh_hans_staff_pages_use_full_width_punctuation(client, records, role):
    """Issue 10 §3: no ASCII , : ; ( ) ! ? touching Chinese text on any page a role reaches (its menu, the records'
    detail pages, the standard, the catalogue and the outbox), one kind of quotation marks (「」)."""
    user = records[role]
    client.force_login(user)
    _found, punctuation = _crawl(client, pages_for(user, records), _extra(user))
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
    pages = pages_for(user, records)
    links: set[str] = set()
    for url in pages:
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            main = response.content.decode().split("<main", 1)[-1]
            links |= {h.replace("&amp;", "&") for h in _LINK.findall(main) if "logout" not in h}
    forbidden = sorted(h for h in links if client.get(h).status_code == 403)
    assert links and forbidden == [], forbidden
