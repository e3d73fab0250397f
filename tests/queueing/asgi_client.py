"""HTTP to the real ASGI application (``tingwu.asgi.application``) without a server, for the hot-path tests.

``httpx.ASGITransport`` gives real scopes, headers, cookies and CSRF (Django's test Client skips CSRF and the ASGI
layer in front of Django). All requests of a test run on one event loop (``event_loop()``), as in a server process —
the hot path keeps its connections per loop —, and the loop only runs during a request, so tests use the ORM freely
between requests. Credentials travel only in explicit headers — httpx's cookie jar starts empty for every call and an explicit Cookie
header wins over it — so a test can replay them byte for byte, which is what the hot path's credential cache keys on.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from integrations.models import ApiToken, TokenKind, token_create

API = "/api/v1/queue"
HOT = "x-tingwu-path"


_loop: asyncio.AbstractEventLoop | None = None


@contextmanager
def event_loop() -> Iterator[None]:
    """Run every request inside the block on one event loop, in a thread of its own: the browser tests' Playwright
    keeps an event loop running in the main thread for the whole session, where a second one cannot run."""
    global _loop
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="asgi-client-loop", daemon=True)
    thread.start()
    _loop = loop
    try:
        yield
    finally:
        close_hot_path_connections()  # while their loop still exists
        _loop = None
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


PHONE = "13900139000"  # the green-channel customer of the ``hall`` fixture (conftest.py)
TIMEOUT = 60  # seconds: a request left hanging fails the test instead of blocking the suite


def run_on_loop(coro):
    """Run a coroutine on the requests' event loop (where the hot path keeps its connections)."""
    return _run(coro)


def _run(coro):
    coro = asyncio.wait_for(coro, TIMEOUT)
    if _loop is not None:
        return asyncio.run_coroutine_threadsafe(coro, _loop).result()
    with ThreadPoolExecutor(1) as pool:  # a one-off loop, also off the main thread
        return pool.submit(asyncio.run, coro).result()


def _client() -> httpx.AsyncClient:
    from tingwu.asgi import application

    # An exception escaping the app becomes a 500, as under uvicorn, so a differential run lists it with the rest.
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def http(method: str, url: str, *, headers: dict, body=None) -> httpx.Response:
    async def go():
        async with _client() as c:
            return await c.request(method, url, json=body, headers=headers)

    return _run(go())


def http_together(requests: list[tuple[str, dict, dict | None]]) -> list[httpx.Response]:
    """POSTs ``(url, headers, body)`` sent at once: Django runs each in its own thread, the hot path in its pool."""

    async def go():
        async with _client() as c:
            return await asyncio.gather(*(c.post(u, json=b, headers=h) for u, h, b in requests))

    return _run(go())


def is_hot(r: httpx.Response) -> bool:
    return r.headers.get(HOT) == "hot"


def hot_expected() -> bool:
    """The hot path answers with QUEUE_HOT_PATH on: on PostgreSQL, and on SQLite with the project's engine and its
    writers' turn (queueing/hotpath/lite.py)."""
    from queueing.hotpath import lite

    on = connection.vendor == "postgresql" or (connection.vendor == "sqlite" and lite.available())
    return on and bool(getattr(settings, "QUEUE_HOT_PATH", True))


def staff_headers(user, **extra) -> dict:
    """A staff browser: a session (Django's force_login), then a page (base.html) that sets the CSRF cookie, sent
    back as X-CSRFToken. Unlike Django's test Client, the API over ASGI enforces CSRF on session POSTs."""
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    page = http("GET", "/", headers={"Cookie": cookie})
    assert page.status_code == 200, page.status_code
    csrf = re.search(rf"{settings.CSRF_COOKIE_NAME}=([^;]+)", " ".join(page.headers.get_list("set-cookie")))[
        1
    ]
    return {"Cookie": f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf}", "X-CSRFToken": csrf, **extra}


def kiosk_headers(hall) -> tuple[ApiToken, dict]:
    token, raw = token_create(hall=hall, kind=TokenKind.KIOSK, name="kiosk")
    return token, {"Authorization": f"Bearer {raw}"}


def issue(headers: dict, bt_id, **body) -> httpx.Response:
    return http("POST", f"{API}/kiosk/tickets", headers=headers, body={"business_type_id": bt_id, **body})


def act(headers: dict, counter_id: int, ticket_id: int | None = None, action="call-next", body=None):
    url = f"{API}/counters/{counter_id}/" + (f"tickets/{ticket_id}/{action}" if ticket_id else "call-next")
    return http("POST", url, headers=headers, body=body)


def said(r: httpx.Response, key: str = "code") -> tuple:
    """(status, one field of the JSON answer, served hot)."""
    return r.status_code, r.json()[key] if r.content else None, is_hot(r)


def warm_session(headers: dict, counter_id: int) -> None:
    """Django accepts the session (call-next, the first request), then a start proves it warm (hot on PostgreSQL)."""
    called = act(headers, counter_id)
    assert called.status_code == 200 and not is_hot(called)
    started = act(headers, counter_id, called.json()["id"], "start")
    assert started.status_code == 200 and is_hot(started) == hot_expected()


# What a client may rely on in any API response; hot answers must carry the same (Content-Length, Date, cookies and
# the nonce inside a CSP header legitimately differ).
SAME_HEADERS = ("content-type", "x-frame-options", "x-content-type-options", "referrer-policy", "vary")


def assert_same_headers(django_r: httpx.Response, hot_r: httpx.Response) -> None:
    assert {h: hot_r.headers.get(h) for h in SAME_HEADERS} == {
        h: django_r.headers.get(h) for h in SAME_HEADERS
    }
    assert ("content-security-policy" in hot_r.headers) == ("content-security-policy" in django_r.headers)


# --- the hot path's process state --------------------------------------------------------------------------------


def forget_hot_memos() -> None:
    """A cold hot path: no remembered credential, no memoised counter row (ids are reused on SQLite). Guarded, so
    that the tests still run against Django alone while ``queueing.hotpath`` is absent."""
    for module, fn in (("identity", "forget_here"), ("ops", "forget_rows")):
        try:
            getattr(__import__(f"queueing.hotpath.{module}", fromlist=[fn]), fn)()
        except (ImportError, AttributeError):
            pass


def close_hot_path_connections() -> None:
    """The hot path keeps its own PostgreSQL connections: close them, so that they neither pile up test after test
    nor stop the test database from being dropped."""
    try:
        from queueing.hotpath.db import close_all
    except ImportError:
        return
    close_all()


@pytest.fixture
def cold_hot_path(settings, monkeypatch):
    """Each hot-path test: its requests on one event loop, no credential or row memo from another test.

    The TTLs are long enough that a slow shared machine never turns a hot request into a Django one mid-test:
    invalidation must come from the signals (logout, role, token…) and NOTIFY, not from expiry."""
    settings.QUEUE_HOT_PATH_AUTH_TTL = 120
    try:
        from queueing.hotpath import identity

        monkeypatch.setattr(identity, "FALLBACK_TTL", 120.0)  # also before this loop's listener is up
    except ImportError:
        pass
    forget_hot_memos()
    with event_loop():
        yield
    forget_hot_memos()
