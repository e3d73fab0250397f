"""Issue 10 §3: labels do not break inside a word, in Chinese and in English, at 1366 px and on a phone (375 px), on
the dense staff pages (the clerk console, the greeter tablet, the supervisor board, complaint intake, the service
standard); English placeholders are not cut off. Chromium lays the page out; for every label, button, table header,
badge and legend the test asks where each word's characters sit (a DOM Range per word): a word whose characters
lie on two lines is broken. A word is a Latin run (letters, digits, ' -) or a run of Chinese characters of at most
six (a short Chinese label such as 取号时间 is one word; a longer run is a phrase, free to wrap between words)."""

from __future__ import annotations

import pytest

from tests.pages import dense_pages, signed_in

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


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [1366, 375])
def test_dense_staff_pages_do_not_break_labels_inside_a_word(browser, live_server, records, language, width):
    # records (tests/pages.py): a ticket in handling with others waiting, an online consultation answered as
    # complex (its solution clock may pause, so the page shows the pause form with its reason placeholder).
    pages = dense_pages(records)
    broken, cut = {}, {}
    for username, urls in pages.items():
        context, page = signed_in(browser, live_server, records[username], language=language, width=width)
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
