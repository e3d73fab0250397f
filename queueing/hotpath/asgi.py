"""The hot path's ASGI layer (``HotPath``, wrapped around Django in ``tingwu.asgi``): route, buffer, look up the
credential, run the operation (``ops``) or hand the request to Django unchanged. See the package's docstring."""

from __future__ import annotations

import json
import logging
import re

from django.conf import settings

logger = logging.getLogger(__name__)

ISSUE = re.compile(r"^/api/v1/queue/kiosk/tickets$")
CALL = re.compile(r"^/api/v1/queue/counters/(\d{1,18})/call-next$")
ACTION = re.compile(r"^/api/v1/queue/counters/(\d{1,18})/tickets/(\d{1,18})/(start|finish)$")
MAX_BODY = 64 * 1024
SERVED_HEADER = (b"x-tingwu-path", b"hot")


def _response_headers() -> list[tuple[bytes, bytes]]:
    """The headers Django's middleware puts on an API response (SecurityMiddleware, XFrameOptions, COOP, Vary)."""
    headers = [(b"content-type", b"application/json; charset=utf-8")]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append((b"x-content-type-options", b"nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append((b"referrer-policy", settings.SECURE_REFERRER_POLICY.encode()))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append((b"cross-origin-opener-policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY.encode()))
    if getattr(settings, "SECURE_HSTS_SECONDS", 0):
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append((b"strict-transport-security", value.encode()))
    headers.append((b"x-frame-options", settings.X_FRAME_OPTIONS.encode()))
    from django.utils.csp import CSP, build_policy

    for name, config in (
        (CSP.HEADER_ENFORCE, settings.SECURE_CSP),
        (CSP.HEADER_REPORT_ONLY, settings.SECURE_CSP_REPORT_ONLY),
    ):
        if config:
            headers.append((name.lower().encode(), build_policy(config).encode()))
    headers.append((b"vary", b"Accept-Language, Cookie"))
    return headers


class HotPath:
    """ASGI middleware: serve the hot requests itself, hand everything else to ``app`` (Django)."""

    def __init__(self, app):
        self.app = app
        self._headers: list | None = None
        self._enabled: bool | None = None

    def _is_enabled(self) -> bool:
        if self._enabled is None:
            from django.db import connection

            from queueing.hotpath import lite

            self._enabled = connection.vendor == "postgresql" or (
                connection.vendor == "sqlite" and lite.available()
            )
        return self._enabled and settings.QUEUE_HOT_PATH

    async def __call__(self, scope, receive, send):
        # Django does not speak lifespan; the hot path uses it to close its connections on shutdown.
        if scope["type"] == "lifespan":
            return await _lifespan(receive, send)
        if scope["type"] != "http" or scope["method"] != "POST" or not self._is_enabled():
            return await self.app(scope, receive, send)
        path = scope["path"]
        route = None
        if m := ISSUE.match(path):
            route = ("issue", None, None)
        elif m := CALL.match(path):
            route = ("call_next", int(m[1]), None)
        elif m := ACTION.match(path):
            route = (m[3], int(m[1]), int(m[2]))
        if route is None or scope.get("query_string"):
            return await self.app(scope, receive, send)
        from queueing.hotpath import db, identity, lite, ops

        # Django may remember this request's credentials once it has served it — unless one changed meanwhile (the
        # version first: one that moved empties the memos, which moves the generation).
        version = lite.version() if ops.sqlite() else db.ensure_listener()
        scope = {**scope, identity.SCOPE_KEY: identity.generation(), identity.VERSION_KEY: version}
        body, receive = await _buffer(receive)
        if body is None:  # too large or the client went away: Django decides
            return await self.app(scope, receive, send)
        headers = {}
        for name, value in scope["headers"]:
            key = name.decode("latin-1")
            if key in headers:  # repeated header (two Cookie lines…): unusual, Django handles it
                return await self.app(scope, receive, send)
            headers[key] = value.decode("latin-1")
        ident = identity.lookup(headers, kind="token" if route[0] == "issue" else "session")
        if ident is None or not identity.request_acceptable(scope, headers):
            return await self.app(scope, receive, send)
        from queueing.hotpath.ops import Overloaded

        try:
            result = await serve(route, ident, headers, body)
        except Overloaded:  # raised before the statement: nothing changed, the client may send it again
            return await _overloaded(send, self._headers or _response_headers())
        if result is None:
            return await self.app(scope, receive, send)
        status, payload, language = result
        if self._headers is None:
            self._headers = _response_headers()
        out = [*self._headers, SERVED_HEADER, (b"content-language", language.encode())]
        out.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": payload})


async def _overloaded(send, headers) -> None:
    """The answer Django's overload handling gives (tingwu/overload.py): 503, Retry-After, the stable code."""
    from tingwu import overload

    payload = json.dumps(overload.overloaded_body(), ensure_ascii=False).encode()
    out = [*headers, SERVED_HEADER, (b"retry-after", str(overload.retry_after()).encode())]
    out.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": 503, "headers": out})
    await send({"type": "http.response.body", "body": payload})


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            from queueing.hotpath import db

            await db.close_loop()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _buffer(receive):
    """Read the whole (small) body, and give Django a ``receive`` that replays it."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None, _replay(b"".join(chunks), receive, message)
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_BODY:
            return None, _replay(b"".join(chunks), receive, None, more=True)
        if not message.get("more_body"):
            body = b"".join(chunks)
            return body, _replay(body, receive, None)


def _replay(body: bytes, receive, pending, more: bool = False):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        if pending is not None:
            return pending
        return await receive()

    return replay


async def serve(route, ident, headers, body) -> tuple[int, bytes, str] | None:
    """Run the operation on the event loop; None means "let Django do it" (nothing was changed)."""
    from queueing.hotpath import ops

    name, counter_id, ticket_id = route
    try:
        data = {}
        if name in ("issue", "finish"):
            if not headers.get("content-type", "").startswith("application/json"):
                return None
            data = json.loads(body)
            if type(data) is not dict:
                return None
        if name == "issue":
            status, ticket, event = await ops.issue(
                token_hall_id=ident.token_hall_id,
                token_kind=ident.token_kind,
                body=data,
                credentials=ident.db_version,
            )
        else:
            counter = await ops.sync(ops.counter_row, counter_id)
            if counter is None or ident.user_id is None or not ident.serves(counter.hall_id):
                return None
            if name == "call_next":
                status, ticket, event = await ops.call_next(
                    user_id=ident.user_id, counter=counter, credentials=ident.db_version
                )
            else:
                fn = ops.start if name == "start" else ops.finish
                kwargs = {"body": data} if name == "finish" else {}
                status, ticket, event = await fn(
                    user_id=ident.user_id,
                    supervisor=ident.supervises(counter.hall_id),
                    counter=counter,
                    ticket_id=ticket_id,
                    credentials=ident.db_version,
                    **kwargs,
                )
    except (ops.Fallback, ValueError):
        return None
    # Committed from here on: never fall back (Django would do it a second time). Labels on screens and in the
    # answer use the request's language, as Django's LocaleMiddleware would pick it (cookie, Accept-Language).
    from django.utils import translation

    language = _language(headers)
    with translation.override(language):
        return status, _respond(status, ticket, event), language


_languages: dict[tuple[str | None, str], str] = {}


def _language(headers: dict[str, str]) -> str:
    """Django's choice for these headers (language cookie, then Accept-Language), remembered per pair of values."""
    from django.http.cookie import parse_cookie

    key = (
        parse_cookie(headers.get("cookie", "")).get(settings.LANGUAGE_COOKIE_NAME),
        headers.get("accept-language", ""),
    )
    language = _languages.get(key)
    if language is None:
        from types import SimpleNamespace

        from django.utils import translation

        cookies = {} if key[0] is None else {settings.LANGUAGE_COOKIE_NAME: key[0]}
        shim = SimpleNamespace(COOKIES=cookies, META={"HTTP_ACCEPT_LANGUAGE": key[1]})
        language = translation.get_language_from_request(shim)
        if len(_languages) > 1_000:
            _languages.clear()
        _languages[key] = language
    return language


def _respond(status: int, ticket, event) -> bytes:
    from ninja.responses import NinjaJSONEncoder

    import tingwu.api  # noqa: F401 - builds the API (and imports queueing.api) before its parts are used
    from floor import bus
    from queueing.api._common import ticket_out
    from queueing.services._common import ticket_public_data

    if ticket is None:
        return b""
    try:
        counter = ticket.counter if ticket.counter_id else None
        bus.publish(
            hall_id=ticket.hall_id,
            kind=event["kind"],
            data=ticket_public_data(ticket, counter, **event["extra"]),
        )
    except Exception:  # the screens miss one event (they resync); the customer's ticket stands
        logger.exception("hot path: publishing %s failed", event["kind"])
    return json.dumps(ticket_out(ticket), cls=NinjaJSONEncoder).encode()
