"""The calling display in headless Chromium (ENV-2.2, ENV-3, STF-3.2): voice queued, never cut off; axe; screenshot."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from floor.models import AnnouncementKind, IncidentKind
from floor.services import announcement_publish, incident_declare

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "tingwu" / "static" / "vendor" / "axe-core-4.11.0.min.js"
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

# Record utterances instead of speaking; onend is fired by the test, like a slow real voice would.
SPEECH_STUB = """
window.__spoken = []; window.__cancelled = 0;
window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ''; this.rate = 1; this.volume = 1; };
const fake = {
  speak(u) { window.__spoken.push(u); },
  cancel() { window.__cancelled += 1; },
  getVoices() { return [{lang: 'zh-CN', name: 'stub'}]; },
  speaking: false, pending: false,
};
Object.defineProperty(window, 'speechSynthesis', {value: fake, configurable: true});
window.__finishUtterance = () => { const u = window.__spoken[window.__spoken.length - 1]; if (u && u.onend) u.onend({}); };
"""


@pytest.fixture
def screen(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.add_init_script(SPEECH_STUB)
    yield pg
    context.close()


@pytest.fixture
def quick_streams(settings):
    settings.FLOOR_SSE_HEARTBEAT = 1
    settings.FLOOR_SSE_MAX_SECONDS = 60


def wait_js(page, expression: str, timeout: float = 10.0):
    """Poll a JS expression with ``evaluate`` (``wait_for_function`` needs eval, which our CSP forbids)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value:
            return value
        page.wait_for_timeout(50)
    raise AssertionError(f"timed out waiting for {expression}")


def _open(screen, live_server, world, token):
    screen.goto(f"{live_server.url}/floor/display/{world['hall_a'].pk}/#token={token}")
    # pair.js posts the fragment's token; wait on a locator, which survives the redirect to the display.
    screen.locator("#fd-conn").filter(has_text="已连接").wait_for()
    assert "token=" not in screen.url  # swapped for a cookie
    wait_js(screen, "document.getElementById('fd-conn').textContent.includes('已连接')")


def test_call_queues_the_mandarin_phrase_and_a_recall_waits_its_turn(
    screen, live_server, world, fresh_bus, display_token, quick_streams
):
    """ENV-2.2 (vs NovoSGA #78): the phrase names number AND counter; a recall is queued, not cutting the first."""
    hall = world["hall_a"]
    _open(screen, live_server, world, display_token)
    fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": "A001", "counter": 3})
    wait_js(screen, "window.tingwuVoiceQueue.length === 1")
    assert screen.evaluate("window.tingwuVoiceQueue[0].text") == "请A001号到3号窗口办理"
    assert screen.evaluate("window.__spoken[0].text") == "请A、零、零、一号到3号窗口办理"
    assert screen.evaluate("window.__spoken[0].lang") == "zh-CN"
    assert screen.evaluate("window.__spoken[0].rate") == pytest.approx(0.9)
    assert screen.locator(".fd-number").inner_text() == "A001"

    fresh_bus.publish(
        hall_id=hall.pk, kind="ticket.recalled", data={"number": "A001", "counter": 3, "recall": True}
    )
    wait_js(screen, "window.tingwuVoiceQueue.length === 2")
    assert screen.evaluate("window.tingwuVoiceQueue[1].text") == "重呼，请A001号到3号窗口办理"
    # The first phrase is still being spoken: nothing cancelled, the recall waits.
    assert screen.evaluate("window.__spoken.length") == 1
    assert screen.evaluate("window.__cancelled") == 0
    screen.evaluate("window.__finishUtterance()")
    wait_js(screen, "window.__spoken.length === 2")
    assert screen.evaluate("window.__spoken[1].text") == "重呼，请A、零、零、一号到3号窗口办理"
    assert screen.evaluate("window.__cancelled") == 0


def test_display_shows_emergency_and_announcements_passes_axe_and_is_screenshotted(
    screen, live_server, world, fresh_bus, display_token, quick_streams
):
    """ENV-3 (temporary notice white on red) and STF-3.2 (the standard emergency words) on the wall screen."""
    hall = world["hall_a"]
    manager = world["manager_a"]
    announcement_publish(
        user=manager,
        hall=hall,
        kind=AnnouncementKind.SYSTEM_UPGRADE,
        title="系统升级公告",
        body="本周六 22:00–24:00 系统升级,期间暂停办理携号转网业务。",
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(days=2),
        consult_phone="10086",
        consult_window="1号咨询台",
    )
    announcement_publish(
        user=manager, hall=hall, kind=AnnouncementKind.NORMAL, title="营业时间", body="周一至周五 9:00–18:00"
    )
    _open(screen, live_server, world, display_token)
    for number, counter in [("A001", 3), ("B001", 5), ("A002", 1), ("C001", 2), ("A003", 4)]:
        fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": number, "counter": counter})
    wait_js(screen, "window.tingwuVoiceQueue.length === 5")
    assert screen.locator(".fd-number").inner_text() == "A003"
    assert screen.locator("#fd-recent tr").count() == 4
    temp = screen.locator(".fd-ann-temp")
    assert temp.count() == 1
    assert temp.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(200, 16, 46)"
    assert temp.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    assert screen.locator("#fd-emergency").is_hidden()
    assert screen.locator(
        "#fd-sound"
    ).is_hidden()  # the speech stub allows speaking: no "enable sound" button
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.wait_for_timeout(12_000)  # let the ticker scroll into view
    screen.screenshot(path=str(SHOTS / "display-calls-1920x1080.png"))

    incident_declare(user=world["supervisor_a"], hall=hall, kind=IncidentKind.SYSTEM_FAILURE, minutes=10)
    screen.wait_for_selector("#fd-emergency:not([hidden])")
    assert (
        "系统临时维护，预计10分钟后恢复，您可先在等候区稍作休息"
        in screen.locator("#fd-em-notice").inner_text()
    )
    assert "自助服务终端" in screen.locator("#fd-emergency").inner_text()

    screen.add_script_tag(url=f"{live_server.url}/static/vendor/{AXE.name}")  # same origin: CSP allows it
    result = screen.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == []
    screen.screenshot(path=str(SHOTS / "display-emergency-1920x1080.png"))


def test_a_long_day_of_calls_does_not_grow_the_page(
    screen, live_server, world, fresh_bus, display_token, quick_streams
):
    """ENV-2.2: 8 hours without reload — after 1,500 calls the DOM, the voice history and the backlog are capped."""
    hall = world["hall_a"]
    fresh_bus.hub.maxlen = 2000  # keep every event replayable for this test (the default ring is smaller)
    _open(screen, live_server, world, display_token)

    def burst(start: int, n: int):
        for k in range(start, start + n):
            fresh_bus.publish(
                hall_id=hall.pk,
                kind="ticket.called",
                data={"number": f"A{k % 1000:03d}", "counter": 1 + k % 8},
            )

    burst(0, 300)
    wait_js(
        screen,
        "window.tingwuVoiceQueue.length === 50 && document.querySelector('.fd-number').textContent === 'A299'",
    )
    nodes_before = screen.evaluate("document.getElementsByTagName('*').length")
    burst(300, 1200)
    wait_js(screen, "document.querySelector('.fd-number').textContent === 'A499'", timeout=30)
    nodes_after = screen.evaluate("document.getElementsByTagName('*').length")
    assert nodes_after == nodes_before
    assert screen.evaluate("window.tingwuVoiceQueue.length") == 50
    assert screen.evaluate("window.tingwuVoice.pending.length") <= 10
    assert screen.locator("#fd-recent tr").count() == 6
    assert fresh_bus.hub.waiter_count() <= 1  # the one open stream, nothing leaked


def test_display_reconnects_and_replays_the_calls_it_missed(
    screen, live_server, world, fresh_bus, display_token, settings
):
    """ENV-2.2: the stream drops (here: it ends after 1.5 s), a call is made while the screen is offline, and the
    browser's reconnect with Last-Event-ID brings it back — spoken once, not lost."""
    settings.FLOOR_SSE_HEARTBEAT = 0.5
    settings.FLOOR_SSE_MAX_SECONDS = 1.5
    hall = world["hall_a"]
    _open(screen, live_server, world, display_token)
    fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": "A001", "counter": 1})
    wait_js(screen, "window.tingwuVoiceQueue.length === 1")
    wait_js(screen, "document.getElementById('fd-conn').classList.contains('off')")  # stream ended, retrying
    settings.FLOOR_SSE_MAX_SECONDS = 60
    fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": "A002", "counter": 2})
    fresh_bus.publish(
        hall_id=hall.pk, kind="ticket.recalled", data={"number": "A002", "counter": 2, "recall": True}
    )
    wait_js(screen, "window.tingwuVoiceQueue.length === 3")
    texts = screen.evaluate("window.tingwuVoiceQueue.map(p => p.text)")
    assert texts == ["请A001号到1号窗口办理", "请A002号到2号窗口办理", "重呼，请A002号到2号窗口办理"]
    wait_js(screen, "!document.getElementById('fd-conn').classList.contains('off')")


def test_display_fills_1920x1080_with_no_white_band_and_a_dark_ticker(
    screen, live_server, world, fresh_bus, display_token, quick_streams
):
    """Issue 10 §2: at 1920×1080 the display ends at the bottom edge — no white band, no scrolling — and the
    announcement ticker is a dark band with light text (ENV-3's temporary notices stay white on red)."""
    announcement_publish(
        user=world["manager_a"],
        hall=world["hall_a"],
        kind=AnnouncementKind.NORMAL,
        title="营业时间",
        body="周一至周五 9:00–18:00",
    )
    _open(screen, live_server, world, display_token)
    box = screen.evaluate(
        """() => { const d = document.getElementById('display').getBoundingClientRect();
                   const t = document.querySelector('.fd-ticker');
                   return { bottom: d.bottom, height: document.documentElement.scrollHeight,
                            tickerBg: getComputedStyle(t).backgroundColor, tickerBottom: t.getBoundingClientRect().bottom,
                            bodyBg: getComputedStyle(document.body).backgroundColor,
                            annColor: getComputedStyle(document.querySelector('.fd-ann')).color }; }"""
    )
    assert box["bottom"] == 1080 and box["height"] == 1080 and box["tickerBottom"] == 1080, box
    assert box["tickerBg"] not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), box
    assert box["annColor"] == "rgb(255, 255, 255)", box
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.screenshot(path=str(SHOTS / "display-1920x1080-bottom.png"))
