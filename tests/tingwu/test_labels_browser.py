"""Issue 10 §3: labels do not break inside a word, in Chinese and in English, at 1366 px and on a phone (375 px), on
the dense staff pages (the clerk console, the greeter tablet, the supervisor board, complaint intake, the service
standard); English placeholders are not cut off. Chromium lays the page out; for every label, button, table header,
badge and legend the test asks where each word's characters sit (a DOM Range per word): a word whose characters
lie on two lines is broken. A word is a Latin run (letters, digits, ' -) or a run of Chinese characters of at most
six (a short Chinese label such as 取号时间 is one word; a longer run is a phrase, free to wrap between words)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from complaints.models import Channel
from complaints.services import complaint_intake
from consultations.models import Channel as ConsultationChannel
from consultations.services import consultation_record, consultation_respond
from queueing.services import handling_start, ticket_call_next, ticket_issue
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SELECTOR = "label, button, th, .btn, .badge, legend, .chip, nav a, summary"

# In the page: [{text, word}] for each word of a visible label that is laid out on more than one line.
BROKEN_WORDS_JS = """
(selector) => {
  const out = [];
  const words = /[A-Za-z0-9][A-Za-z0-9'’\\-]*|[\\u4e00-\\u9fff]{2,6}(?![\\u4e00-\\u9fff])/g;
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    // Not shown: hidden, or visually hidden for screen readers (a 1 px clipped box wraps every character).
    if (box.width <= 2 || box.height <= 2 || getComputedStyle(el).visibility === "hidden") continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      for (const m of text.matchAll(words)) {
        if (/^[\\u4e00-\\u9fff]/.test(m[0]) && m.index > 0 && /[\\u4e00-\\u9fff]/.test(text[m.index - 1])) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) out.push({label: el.textContent.trim().slice(0, 60), word: m[0]});
      }
    }
  }
  return out;
}
"""

# [{placeholder, width}] for inputs whose placeholder is wider than the box that shows it.
CUT_PLACEHOLDERS_JS = """
() => {
  const out = [];
  const canvas = document.createElement("canvas").getContext("2d");
  for (const el of document.querySelectorAll("input[placeholder], textarea[placeholder]")) {
    const box = el.getBoundingClientRect();
    if (!box.width || el.tagName === "TEXTAREA") continue;
    const style = getComputedStyle(el);
    canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const need = canvas.measureText(el.placeholder).width;
    if (need > room + 1) out.push({placeholder: el.placeholder, need: Math.round(need), room: Math.round(room)});
  }
  return out;
}
"""


def _signed_in(browser, live_server, user, language: str, width: int):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
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


@pytest.fixture
def floor(world):
    hall = world["hall_a"]
    counter = f.counter(hall, 1, serves_all=True)
    f.counter(hall, 2)
    for _ in range(3):
        ticket_issue(hall=hall, business_type=world["basic"])
    ticket_issue(hall=hall, business_type=world["complex"], priority_kind="elderly")
    t = ticket_call_next(counter=counter, clerk=world["clerk_a"])
    handling_start(ticket=t, clerk=world["clerk_a"], counter=counter)
    complaint = complaint_intake(
        hall=hall,
        channel=Channel.ONSITE,
        complainant_name="张桂兰",
        contact_phone="13800138001",
        demand="套餐变更一直没生效，要求退还多扣的费用",
        business_type=world["basic"],
        actor=world["clerk_a"],
    )
    # An online question answered as complex: its solution clock may pause, so the page shows the pause form
    # with its reason placeholder.
    consultation = consultation_record(
        hall=hall,
        channel=ConsultationChannel.WECOM,
        customer_name="刘洋",
        contact_phone="18800188006",
        question="国际漫游流量包在哪些国家可以使用？",
        business_type=world["basic"],
        actor=world["greeter_a"],
    )
    consultation_respond(
        consultation=consultation, actor=world["supervisor_a"], answer="正在核实，稍后答复", complex_=True
    )
    return {**world, "counter": counter, "complaint": complaint, "consultation": consultation}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [1366, 375])
def test_dense_staff_pages_do_not_break_labels_inside_a_word(browser, live_server, floor, language, width):
    hall = floor["hall_a"].pk
    pages = {
        "clerk_a": [f"/queue/console/{floor['counter'].pk}/"],
        "supervisor_a": [
            f"/floor/halls/{hall}/greeter/",
            f"/floor/halls/{hall}/board/",
            "/complaints/new/",
            f"/complaints/{floor['complaint'].pk}/",
            f"/consultations/{floor['consultation'].pk}/",
            "/standard/v1/",
        ],
    }
    broken, cut = {}, {}
    for username, urls in pages.items():
        context, page = _signed_in(browser, live_server, floor[username], language, width)
        try:
            for url in urls:
                response = page.goto(f"{live_server.url}{url}")
                assert response.status == 200, url
                assert page.evaluate("document.documentElement.lang").startswith(language[:2]), url
                found = page.evaluate(BROKEN_WORDS_JS, SELECTOR)
                if found:
                    broken[url] = found
                placeholders = page.evaluate(CUT_PLACEHOLDERS_JS)
                if placeholders:
                    cut[url] = placeholders
        finally:
            context.close()
    assert not broken and not cut, "\n".join(f"{url}: {items}" for url, items in {**broken, **cut}.items())
