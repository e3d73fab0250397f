"""The fragment link pairs a display in a real browser and the token never travels in a request URL (ENV-2.2)."""

from __future__ import annotations

import pytest

from tests.floor.test_display_browser import SPEECH_STUB, wait_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_fragment_link_pairs_the_display_without_the_token_in_any_request_url(
    browser, live_server, world, fresh_bus, display_token
):
    hall = world["hall_a"]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    screen = context.new_page()
    screen.set_default_timeout(10_000)
    screen.add_init_script(SPEECH_STUB)
    requested: list[str] = []
    screen.on("request", lambda request: requested.append(request.url))
    try:
        display = f"{live_server.url}/floor/display/{hall.pk}/"
        with screen.expect_request(lambda r: r.url.endswith("/pair/") and r.method == "POST") as posted:
            screen.goto(f"{display}#token={display_token}")
        # Locator waits survive the redirect (evaluate would not); the stream connects on the paired display.
        screen.locator("#fd-conn").filter(has_text="已连接").wait_for()
        assert screen.url == display  # the fragment is gone from the address bar too
        assert posted.value.redirected_to is not None and posted.value.redirected_to.url == display
        assert any("/pair/" in url for url in requested)  # it went through the pairing POST
        assert [url for url in requested if display_token in url or "token=" in url] == []
        # Re-opening the link on a paired screen keeps it paired and still sends no token in a URL.
        with screen.expect_request(lambda r: r.url.endswith("/pair/") and r.method == "POST"):
            screen.goto(f"{display}#token={display_token}")
        screen.locator("#fd-conn").filter(has_text="已连接").wait_for()
        assert screen.url == display
        wait_js(screen, "document.getElementById('fd-conn').textContent.includes('已连接')")
        assert [url for url in requested if display_token in url or "token=" in url] == []
    finally:
        context.close()
