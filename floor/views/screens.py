"""Hall screens: the calling display, its Server-Sent Events stream and state, the kiosk notices fragment."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from floor import bus, devices, selectors
from halls.models import Hall
from integrations.models import TokenKind, token_authenticate
from lib.errors import ServiceError
from staff.access import hall_ids_for_user

RETRY_MS = 3000


def _error(code: str, message, status: int) -> JsonResponse:
    return JsonResponse(ServiceError(code, message).messages() | {"code": code}, status=status)


def authorize_screen(request, hall_id: int, *, kinds: set[str]) -> tuple[Hall | None, JsonResponse | None]:
    """A screen of this hall (device token) or a signed-in staff member who can see the hall.

    A device token of another hall is refused with 403 ``device_wrong_hall``; nothing is revealed about the hall.
    """
    device = devices.device_from_request(request, kinds=kinds)
    if device is not None:
        if device.hall_id != hall_id:
            return None, _error("device_wrong_hall", _("该设备令牌不属于此营业厅"), 403)
        return device.hall, None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        visible = hall_ids_for_user(user)
        if visible is None or hall_id in visible:
            hall = Hall.objects.filter(pk=hall_id).first()
            if hall is not None:
                return hall, None
        return None, _error("not_found", _("记录不存在或无权查看"), 404)
    return None, _error("unauthorized", _("未登录或令牌无效"), 401)


def _pair_page(request, hall_id: int, *, code: str = "", error=None, status: int = 200):
    """The pairing form (paste the token) and ``pair.js``, which POSTs a ``#token=`` fragment link's token."""
    if code and "application/json" in request.headers.get("Accept", ""):
        return _error(code, error, status)
    context = {"hall_id": hall_id, "error": error, "error_code": code}
    return render(request, "floor/pair.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def display_pair(request, hall_id: int):
    """ENV-2.2: pair this screen with a display token sent in a POST body (CSRF-protected), never in a URL.

    The provisioning link is ``/floor/display/<hall>/#token=…``: browsers do not send the fragment, so the token
    stays out of access logs and Referer headers; ``pair.js`` reads it and submits this form.
    """
    if request.method == "GET":
        return _pair_page(request, hall_id)
    raw = (request.POST.get("token") or "").strip()
    if not raw:
        return _pair_page(
            request, hall_id, code="device_token_required", error=_("请输入显示屏令牌"), status=400
        )
    token = token_authenticate(raw, kinds={TokenKind.DISPLAY})
    if token is None:
        message = _("令牌无效、已吊销或不是显示屏令牌")
        return _pair_page(request, hall_id, code="device_token_invalid", error=message, status=400)
    if token.hall_id != hall_id:
        message = _("该设备令牌不属于此营业厅")
        return _pair_page(request, hall_id, code="device_wrong_hall", error=message, status=403)
    response = HttpResponseRedirect(reverse("floor:display", args=[hall_id]))
    devices.pair(response, token, secure=request.is_secure())
    return response


@never_cache
@require_GET
def display(request, hall_id: int):
    """ENV-2.2: the calling display (1920×1080); an unpaired screen gets the pairing page (401)."""
    if "token" in request.GET:
        # The old ``?token=`` links put the secret in proxy logs and browser history: refuse, never pair.
        message = _("链接中不能携带令牌。请使用配对页面或 #token= 形式的配对链接。")
        return _pair_page(request, hall_id, code="token_in_url", error=message, status=400)
    hall, error = authorize_screen(request, hall_id, kinds={TokenKind.DISPLAY})
    if error is not None:
        if error.status_code == 401:
            return _pair_page(request, hall_id, status=401)
        return error
    state = selectors.display_state(hall=hall)
    return render(
        request,
        "floor/display.html",
        {
            "hall": hall,
            "state": state,
            "pair_url": reverse("floor:display_pair", args=[hall.pk]),
            "config": {
                "hall": hall.pk,
                "events": reverse("floor:events", args=[hall.pk])
                + "?"
                + urlencode({"last_event_id": bus.get_backend().last_id(hall.pk)}),
                "state": reverse("floor:display_state", args=[hall.pk]),
                "state_data": state,
            },
        },
    )


@never_cache
@require_GET
def display_state(request, hall_id: int):
    hall, error = authorize_screen(request, hall_id, kinds=devices.SCREEN_KINDS)
    if error is not None:
        return error
    return JsonResponse(selectors.display_state(hall=hall), json_dumps_params={"ensure_ascii": False})


@never_cache
@require_GET
def kiosk_notices(request, hall_id: int):
    """The kiosk's notices fragment (htmx polling): announcements and the emergency notice."""
    hall, error = authorize_screen(request, hall_id, kinds=devices.SCREEN_KINDS)
    if error is not None:
        return error
    return render(request, "floor/_kiosk_notices.html", {"hall": hall, "fragment": True})


# --- Server-Sent Events -----------------------------------------------------------------------------------------


def _frame(event: bus.Event) -> str:
    return f"id: {event.id}\ndata: {event.payload()}\n\n"


def _resync_frame(hall_id: int, last_id: int) -> str:
    body = json.dumps({"id": last_id, "kind": "resync", "data": {}, "at": time.time()})
    return f"id: {last_id}\ndata: {body}\n\n"


def _heartbeat() -> float:
    return float(getattr(settings, "FLOOR_SSE_HEARTBEAT", 15))


def _max_age() -> float:
    # Streams end after an hour and the browser reconnects with Last-Event-ID: no connection lives forever.
    return float(getattr(settings, "FLOOR_SSE_MAX_SECONDS", 3600))


async def _stream_async(backend, hall_id: int, cursor: int):
    yield f"retry: {RETRY_MS}\n\n"
    events, lost = await asyncio.to_thread(backend.replay, hall_id, cursor)
    if lost:
        cursor = await asyncio.to_thread(backend.last_id, hall_id)
        yield _resync_frame(hall_id, cursor)
    for event in events:
        if event.id > cursor:
            cursor = event.id
            yield _frame(event)
    ends = time.monotonic() + _max_age()
    while time.monotonic() < ends:
        if not await backend.wait(hall_id, cursor, timeout=_heartbeat()):
            yield ": keep-alive\n\n"
            continue
        events = backend.local_since(hall_id, cursor)
        lost = False
        if events is None:  # not buffered here (e.g. right after a Redis reconnect): ask the backend
            events, lost = await asyncio.to_thread(backend.replay, hall_id, cursor)
        if lost:
            cursor = await asyncio.to_thread(backend.last_id, hall_id)
            yield _resync_frame(hall_id, cursor)
        for event in events:
            if event.id > cursor:
                cursor = event.id
                yield _frame(event)


def _stream_sync(backend, hall_id: int, cursor: int):
    """The same stream for a WSGI server (the test live server): one thread per screen, blocking waits."""
    yield f"retry: {RETRY_MS}\n\n"
    ends = time.monotonic() + _max_age()
    first = True
    while time.monotonic() < ends:
        if not first and not backend.wait_sync(hall_id, cursor, timeout=_heartbeat()):
            yield ": keep-alive\n\n"
            continue
        first = False
        events = backend.local_since(hall_id, cursor)
        lost = False
        if events is None:
            events, lost = backend.replay(hall_id, cursor)
        if lost:
            cursor = backend.last_id(hall_id)
            yield _resync_frame(hall_id, cursor)
        for event in events:
            if event.id > cursor:
                cursor = event.id
                yield _frame(event)


def _authorize_for_stream(request, hall_id: int):
    try:
        hall, error = authorize_screen(request, hall_id, kinds=devices.SCREEN_KINDS)
    finally:
        # The stream may stay open for an hour: give the database connection back now, not at the end.
        connections.close_all()
    return hall, error


def _cursor_from(request, backend, hall_id: int) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    if raw in (None, ""):
        return backend.last_id(hall_id)  # a fresh screen: from now on (it drew its state from the page)
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


@never_cache
async def events(request, hall_id: int):
    """``GET /floor/display/<hall_id>/events``: ``text/event-stream`` of the hall's events (see floor/bus.py).

    Each frame carries ``id:`` so the browser reconnects with ``Last-Event-ID`` and gets what it missed; when that
    is no longer buffered it gets a ``resync`` event and redraws from ``state.json``.
    """
    if request.method != "GET":
        return _error("method_not_allowed", _("请求方法不允许"), 405)
    hall, error = await sync_to_async(_authorize_for_stream)(request, hall_id)
    if error is not None:
        return error
    backend = bus.get_backend()
    cursor = await asyncio.to_thread(_cursor_from, request, backend, hall.pk)
    if cursor is None:
        return _error("invalid_last_event_id", _("Last-Event-ID 格式不正确"), 400)
    if isinstance(request, ASGIRequest):
        stream = _stream_async(backend, hall.pk, cursor)
    else:
        stream = _stream_sync(backend, hall.pk, cursor)
    response = StreamingHttpResponse(stream, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response


@never_cache
@require_GET
def staff_banner(request, hall_id: int):
    """The clerk console's emergency banner (htmx polling), for staff who can see the hall."""
    from floor.templatetags.floor import floor_staff_banner

    user = request.user
    visible = hall_ids_for_user(user) if user.is_authenticated else set()
    if not user.is_authenticated or (visible is not None and hall_id not in visible):
        return _error("not_found", _("记录不存在或无权查看"), 404)
    hall = Hall.objects.filter(pk=hall_id).first()
    if hall is None:
        return _error("not_found", _("记录不存在或无权查看"), 404)
    return render(request, "floor/_staff_banner.html", floor_staff_banner(hall) | {"fragment": True})
