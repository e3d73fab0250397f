"""The on-site rating pad （评价器）： a tablet at the counter, paired like the kiosk, no login.

Pairing: a hall manager provisions the counter's pad (the token is shown once) and a staff member submits it on the
device at ``/evaluations/pad/pair/`` (POST); the token lives in an HttpOnly, SameSite=Strict cookie, never in a URL.
The pad listens to its hall's floor events (SSE) and redraws its panel when its counter finishes a ticket; the
panel polls too, so a missed event only delays it. A staff session on the device is refused (anti-gaming).
"""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evaluations import services
from evaluations.models import TOP_LEVELS, Level, RatingPad, ReasonChip
from integrations.models import TokenKind, token_authenticate
from lib.errors import ServiceError

COOKIE = "tw_rating_pad"
COOKIE_AGE = 400 * 24 * 3600


def pad_from_request(request) -> RatingPad | None:
    token = token_authenticate(request.COOKIES.get(COOKIE), kinds={TokenKind.RATING_PAD})
    if token is None:
        return None
    return RatingPad.objects.select_related("counter", "hall", "token").filter(token=token).first()


@never_cache
@require_http_methods(["GET", "POST"])
def pair(request):
    error = ""
    if request.method == "POST":
        raw = (request.POST.get("token") or "").strip()
        token = token_authenticate(raw, kinds={TokenKind.RATING_PAD})
        if token is not None and RatingPad.objects.filter(token=token).exists():
            response = redirect("evaluations:pad")
            response.set_cookie(
                COOKIE, raw, max_age=COOKIE_AGE, httponly=True, samesite="Strict", secure=request.is_secure()
            )
            return response
        error = _("令牌无效或不是评价器令牌")
    return render(request, "evaluations/pad_pair.html", {"error": error}, status=400 if error else 200)


def _clerk_of(pad: RatingPad, inv) -> dict | None:
    """Who the pad names: the clerk credited with the open invitation, else the clerk signed in at the counter."""
    user = inv.clerk if inv is not None else None
    if user is None:
        from queueing.models import CounterState

        state = (
            CounterState.objects.select_related("clerk__staff_profile").filter(counter=pad.counter).first()
        )
        user = state.clerk if state else None
    profile = getattr(user, "staff_profile", None) if user is not None else None
    if profile is None:
        return None
    return {"name": profile.full_name, "number": profile.employee_number, "post": profile.post}


def _panel(request, pad: RatingPad, *, error: str = "", thanks: bool = False, status: int = 200, posted=None):
    now = timezone.now()
    inv = None if thanks else services.pad_current(pad=pad, now=now)
    context = {
        "pad": pad,
        "inv": inv,
        "clerk": _clerk_of(pad, inv),
        "levels": [(value, label, value in TOP_LEVELS) for value, label in Level.choices],
        "chips": ReasonChip.objects.filter(active=True),
        "seconds_left": max(0, int((inv.pad_until - now).total_seconds())) if inv else 0,
        "thanks": thanks,
        "error": error,
        "posted": posted or {},
    }
    return render(request, "evaluations/_pad_panel.html", context, status=status)


@never_cache
@require_GET
def pad(request):
    pad = pad_from_request(request)
    if pad is None:
        return redirect("evaluations:pad_pair")
    from floor import bus

    config = {
        "counter_id": pad.counter_id,
        "counter": pad.counter.number,
        "events": reverse("evaluations:pad_events")
        + f"?last_event_id={bus.get_backend().last_id(pad.hall_id)}",
    }
    return render(request, "evaluations/pad.html", {"pad": pad, "hall": pad.hall, "config": config})


@never_cache
@require_GET
def pad_panel(request):
    pad = pad_from_request(request)
    if pad is None:
        return HttpResponse(status=401)
    return _panel(request, pad)


@require_POST
def pad_submit(request):
    pad = pad_from_request(request)
    if pad is None:
        return HttpResponse(status=401)
    posted = {"level": request.POST.get("level", ""), "reasons": request.POST.getlist("reasons")}
    try:
        services.pad_submit(
            token=pad.token,
            ticket_id=request.POST.get("ticket_id"),
            level=request.POST.get("level"),
            reasons=request.POST.getlist("reasons"),
            comment=request.POST.get("comment", ""),
            user=request.user,
        )
    except ServiceError as exc:
        return _panel(request, pad, error=exc.message, status=exc.status, posted=posted)
    return _panel(request, pad, thanks=True)


def _authorize(request):
    try:
        return pad_from_request(request)
    finally:
        connections.close_all()  # the stream may stay open for an hour: give the connection back now


@never_cache
async def pad_events(request):
    """The pad's hall events (``text/event-stream``), the same stream as the calling display's."""
    from floor import bus
    from floor.views import screens

    pad = await sync_to_async(_authorize)(request)
    if pad is None:
        return JsonResponse({"code": "unauthorized", "message": "未登录或令牌无效"}, status=401)
    backend = bus.get_backend()
    cursor = await asyncio.to_thread(screens._cursor_from, request, backend, pad.hall_id)
    if cursor is None:
        return JsonResponse(
            {"code": "invalid_last_event_id", "message": "Last-Event-ID 格式不正确"}, status=400
        )
    if isinstance(request, ASGIRequest):
        stream = screens._stream_async(backend, pad.hall_id, cursor)
    else:
        stream = screens._stream_sync(backend, pad.hall_id, cursor)
    response = StreamingHttpResponse(stream, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
