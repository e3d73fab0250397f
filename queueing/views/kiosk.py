"""The kiosk (touch screen, no login) and the customer's mobile ticket page.

Device identity: a kiosk is paired once — a staff member opens ``/queue/kiosk/pair/`` on the kiosk and submits
the device token (POST); the token is kept in an HttpOnly, SameSite=Strict cookie and never appears in a URL or a
log line. Every kiosk request resolves the cookie to its hall-bound token; a revoked token un-pairs the kiosk.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from catalog.models import BusinessCategory, BusinessType
from integrations.models import TokenKind, token_authenticate
from lib.errors import ServiceError
from queueing import clock, selectors, services
from queueing.models import Outcome, PriorityKind, Ticket
from queueing.opening import kiosk_opening, kiosk_require_open, opens_text

COOKIE = "tw_kiosk"
COOKIE_AGE = 400 * 24 * 3600


def kiosk_token(request):
    return token_authenticate(request.COOKIES.get(COOKIE), kinds={TokenKind.KIOSK})


@never_cache
@require_http_methods(["GET", "POST"])
def pair(request):
    error = ""
    if request.method == "POST":
        raw = (request.POST.get("token") or "").strip()
        if token_authenticate(raw, kinds={TokenKind.KIOSK}) is not None:
            response = redirect("queueing:kiosk")
            response.set_cookie(
                COOKIE, raw, max_age=COOKIE_AGE, httponly=True, samesite="Strict", secure=request.is_secure()
            )
            return response
        error = _("令牌无效或不是取号机令牌")
    return render(request, "queueing/kiosk_pair.html", {"error": error}, status=400 if error else 200)


def _kiosk_context(request, token, **extra) -> dict:
    hall = token.hall
    types = list(BusinessType.objects.for_hall(hall).order_by("category", "sort_order", "code"))
    groups = []
    for value, label in BusinessCategory.choices:
        items = [b for b in types if b.category == value]
        if items:
            groups.append({"category": value, "label": label, "items": items})
    return {
        "hall": hall,
        "groups": groups,
        "priority_kinds": [(v, lbl) for v, lbl in PriorityKind.choices if v],
        "elder": request.GET.get("elder") == "1" or request.POST.get("elder") == "1",
        "idempotency_key": uuid.uuid4().hex,
        "opening": kiosk_opening(hall=hall, now=clock.now()),
        "idle_seconds": hall.kiosk_idle_seconds,
        **extra,
    }


def _opens_text(opens_at) -> str:
    return opens_text(opens_at, now=clock.now())


@never_cache
def kiosk_reset(request):
    """The idle screen for the next customer (issue 10 §2): no ticket, no QR code, the hall's default language,
    standard mode. Reached by the kiosk's idle timer; harmless to call at any time."""
    response = redirect("queueing:kiosk")
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE, samesite="Lax", secure=request.is_secure()
    )
    return response


@never_cache
def kiosk(request):
    token = kiosk_token(request)
    if token is None:
        return redirect("queueing:kiosk_pair")
    ctx = _kiosk_context(request, token)
    if not ctx["opening"]["open"]:
        ctx["opens_text"] = _opens_text(ctx["opening"]["opens_at"])
    return render(request, "queueing/kiosk.html", ctx)


def _kiosk_error(request, token, exc: ServiceError, **posted):
    ctx = _kiosk_context(request, token, error=exc.message, error_field=exc.field, posted=posted)
    if not ctx["opening"]["open"]:
        ctx["opens_text"] = _opens_text(ctx["opening"]["opens_at"])
    return render(request, "queueing/kiosk.html", ctx, status=exc.status)


@require_POST
def kiosk_issue(request):
    token = kiosk_token(request)
    if token is None:
        return redirect("queueing:kiosk_pair")
    elder = "?elder=1" if request.POST.get("elder") == "1" else ""
    mode = request.POST.get("mode", "")
    try:
        kiosk_require_open(hall=token.hall, now=clock.now())
        if mode == "check_in":
            ticket = services.appointment_check_in(
                hall=token.hall,
                code=request.POST.get("code", ""),
                mobile=request.POST.get("mobile", ""),
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
        else:
            customer = None
            if mode == "green":
                mobile = (request.POST.get("mobile") or "").strip()
                if not mobile:
                    raise ServiceError("mobile_required", _("请输入手机号"), field="mobile")
                customer = services.green_channel_customer(mobile=mobile)
            bt = request.POST.get("business_type")
            if not (bt or "").isdigit():
                raise ServiceError("unknown_business", _("请选择业务"), field="business_type")
            ticket = services.ticket_issue(
                hall=token.hall,
                business_type=int(bt),
                priority_kind=request.POST.get("priority_kind", ""),
                needs_low_counter=request.POST.get("needs_low_counter") == "1",
                green_channel=customer is not None,
                customer=customer,
                idempotency_key=request.POST.get("idempotency_key") or None,
                source="kiosk",
            )
    except ServiceError as exc:
        return _kiosk_error(request, token, exc, mode=mode, code=request.POST.get("code", ""))
    return redirect(reverse("queueing:kiosk_ticket", args=[ticket.public_token]) + elder)


@never_cache
def kiosk_ticket(request, public_token: str):
    """The printed ticket (58/80 mm print CSS): hall, number, business, people ahead, wait, time, rule, QR."""
    token = kiosk_token(request)
    ticket = _ticket_or_404(public_token)
    if token is None or token.hall_id != ticket.hall_id:
        raise Http404
    position = selectors.ticket_position(ticket=ticket)
    mobile_url = request.build_absolute_uri(reverse("queueing:mobile_ticket", args=[ticket.public_token]))
    opening = kiosk_opening(hall=ticket.hall, now=clock.now())
    return render(
        request,
        "queueing/kiosk_ticket.html",
        {
            "hall": ticket.hall,
            "ticket": ticket,
            "position": position,
            "mobile_url": mobile_url,
            "elder": request.GET.get("elder") == "1",
            "paper": request.GET.get("paper", "80"),
            "opening": opening,
            "opens_text": "" if opening["open"] else _opens_text(opening["opens_at"]),
            "idle_seconds": ticket.hall.kiosk_idle_seconds,
        },
    )


def _ticket_or_404(public_token: str) -> Ticket:
    ticket = (
        Ticket.objects.select_related("hall", "business_type", "counter")
        .filter(public_token=public_token)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def _mobile_context(request, ticket: Ticket) -> dict:
    missing = []
    if ticket.outcome == Outcome.MATERIALS_MISSING:
        # BIZ-1.1: what to bring next time and how to obtain each item （the 《补充材料清单》 the clerk printed）.
        missing = list(ticket.missing_materials.order_by("business_type_id", "sort_order", "pk"))
    return {
        "ticket": ticket,
        "hall": ticket.hall,
        "position": selectors.ticket_position(ticket=ticket),
        "missing": missing,
        "elder": request.GET.get("elder") == "1",
    }


@never_cache
def mobile_ticket(request, public_token: str):
    ticket = _ticket_or_404(public_token)
    return render(request, "queueing/mobile_ticket.html", _mobile_context(request, ticket))


@never_cache
def mobile_ticket_status(request, public_token: str) -> HttpResponse:
    ticket = _ticket_or_404(public_token)
    return render(request, "queueing/_mobile_status.html", _mobile_context(request, ticket))
