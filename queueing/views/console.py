"""The counter console (clerk, issue 3 §3): current ticket, every action as a POST, BIZ-2.2 clock, materials check.

The page polls its panel fragment (htmx, every 5 s) and every action returns the fresh panel, so the console works
with htmx and, without JavaScript, through ordinary form posts and redirects.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import BusinessType, PhraseKind, RequiredMaterial, StandardPhrase
from catalog.selectors import glossary_search
from halls.models import Counter
from lib.errors import ServiceError
from queueing import clock, services
from queueing.models import ACTIVE_STATUSES, Outcome, Ticket, TicketStatus
from staff.access import require, user_can


def _counter_or_404(request, counter_id: int) -> Counter:
    counter = Counter.objects.for_user(request.user).select_related("hall").filter(pk=counter_id).first()
    if counter is None:
        raise Http404
    require(request.user, "queue.serve", counter.hall)
    return counter


@login_required
def console_index(request):
    counters = [
        c
        for c in Counter.objects.for_user(request.user)
        .select_related("hall")
        .order_by("hall__code", "number")
        if user_can(request.user, "queue.serve", c.hall_id)
    ]
    if not counters:
        require(request.user, "queue.serve")  # 403 with the standard message
    return render(request, "queueing/console_index.html", {"counters": counters})


def _phrase(kind: str):
    return StandardPhrase.objects.filter(kind=kind).order_by("sort_order", "pk").first()


def panel_context(request, counter: Counter, **extra) -> dict:
    now = clock.now()
    tickets = list(
        # The hall too: ticket_hall_day_status leads with it; without it the index was read whole (grows with the table).
        Ticket.objects.filter(
            hall_id=counter.hall_id,
            counter=counter,
            status__in=[*ACTIVE_STATUSES, TicketStatus.SUSPENDED],
            service_date=timezone.localdate(now),
        )
        .select_related("business_type")
        .order_by("called_at")
    )
    current = next((t for t in tickets if t.status in ACTIVE_STATUSES), None)
    suspended = [t for t in tickets if t.status == TicketStatus.SUSPENDED]
    hall_types = list(
        BusinessType.objects.for_hall(counter.hall_id).order_by("category", "sort_order", "code")
    )
    materials = []
    if current is not None:
        materials = list(RequiredMaterial.objects.filter(business_type_id=current.business_type_id))
    snapshot_waiting = Ticket.objects.filter(
        hall_id=counter.hall_id, service_date=timezone.localdate(now), status=TicketStatus.WAITING
    )
    if not counter.serves_all:
        snapshot_waiting = snapshot_waiting.filter(business_type__in=counter.business_types.all())
    ctx = {
        "counter": counter,
        "hall": counter.hall,
        "current": current,
        "clock": current.clock(now) if current else None,
        "suspended": suspended,
        "waiting_count": snapshot_waiting.count(),
        "hall_types": hall_types,
        "materials": materials,
        "outcomes": Outcome.choices,
        "other_counters": [
            c
            for c in Counter.objects.filter(hall_id=counter.hall_id).order_by("number")
            if c.pk != counter.pk
        ],
        "greeting": _phrase(PhraseKind.GREETING)
        if current and current.status == TicketStatus.CALLED
        else None,
        "farewell": _phrase(PhraseKind.FAREWELL) if extra.get("finished") else None,
        "now": now,
    }
    ctx.update(extra)
    # A refused 办结 shows its reason inside the finish form, next to the button the clerk pressed.
    ctx["error_in_form"] = bool(ctx.get("error")) and ctx.get("error_field") in {"outcome", "business_types"}
    return ctx


@login_required
def console(request, counter_id: int):
    counter = _counter_or_404(request, counter_id)
    return render(request, "queueing/console.html", panel_context(request, counter))


@login_required
def console_panel(request, counter_id: int):
    counter = _counter_or_404(request, counter_id)
    return render(request, "queueing/_console_panel.html", panel_context(request, counter))


def _ticket_for(counter: Counter, request) -> Ticket:
    tid = request.POST.get("ticket_id", "")
    ticket = (
        Ticket.objects.select_related("business_type", "counter", "hall")
        .filter(pk=int(tid) if tid.isdigit() else 0, hall_id=counter.hall_id)
        .first()
    )
    if ticket is None:
        raise ServiceError("ticket_required", _("没有可操作的号码"))
    return ticket


def _finish(request, counter: Counter, ticket: Ticket):
    # BIZ-1.1: the service derives the missing materials from what was ticked as brought.
    return services.handling_finish(
        ticket=ticket,
        clerk=request.user,
        counter=counter,
        outcome=request.POST.get("outcome", ""),
        business_types=[int(x) for x in request.POST.getlist("business_types") if x.isdigit()],
        notes=request.POST.get("notes", ""),
        brought_material_ids=[int(x) for x in request.POST.getlist("brought") if x.isdigit()],
    )


ACTIONS = {
    "recall": services.ticket_recall,
    "no_show": services.ticket_no_show,
    "start": services.handling_start,
    "confirm": services.handling_confirm_needs,
    "suspend": services.ticket_suspend,
    "resume": services.ticket_resume,
}


@login_required
@require_POST
def console_action(request, counter_id: int, action: str):
    counter = _counter_or_404(request, counter_id)
    user = request.user
    extra: dict = {}
    try:
        if action == "call_next":
            ticket = services.ticket_call_next(counter=counter, clerk=user)
            if ticket is None:
                extra["message"] = _("当前没有等候的客户")
        elif action in ACTIONS:
            ACTIONS[action](ticket=_ticket_for(counter, request), clerk=user, counter=counter)
        elif action == "finish":
            ticket = _finish(request, counter, _ticket_for(counter, request))
            extra["finished"] = ticket
            if ticket.missing_materials.exists():
                url = reverse("queueing:supplement", args=[ticket.pk])
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return redirect(url)
        elif action == "transfer":
            bt = request.POST.get("business_type", "")
            target = request.POST.get("target_counter", "")
            services.ticket_transfer(
                ticket=_ticket_for(counter, request),
                actor=user,
                business_type=int(bt) if bt.isdigit() else None,
                counter=int(target) if target.isdigit() else None,
            )
        elif action == "open":
            services.counter_open(counter=counter, actor=user)
        elif action == "pause":
            services.counter_pause(counter=counter, actor=user, reason=request.POST.get("reason", ""))
        elif action == "close":
            services.counter_close(counter=counter, actor=user, reason=request.POST.get("reason", ""))
        else:
            raise Http404
    except ServiceError as exc:
        extra.update(error=exc.message, error_field=exc.field, posted=request.POST)
        status = exc.status
    else:
        status = 200
    if request.htmx:
        return render(
            request, "queueing/_console_panel.html", panel_context(request, counter, **extra), status=status
        )
    if status != 200:
        return render(
            request, "queueing/console.html", panel_context(request, counter, **extra), status=status
        )
    return redirect("queueing:console", counter_id=counter.pk)


@login_required
def glossary(request):
    terms = glossary_search(query=request.GET.get("q", ""), limit=12)
    return render(request, "queueing/_glossary.html", {"terms": terms, "q": request.GET.get("q", "")})


def _staff_ticket(request, ticket_id: int) -> Ticket:
    ticket = (
        Ticket.objects.for_user(request.user)
        .select_related("hall", "business_type", "counter")
        .filter(pk=ticket_id)
    )
    ticket = ticket.first()
    if ticket is None:
        raise Http404
    require(request.user, "queue.serve", ticket.hall)
    return ticket


@login_required
def supplement(request, ticket_id: int, **extra):
    """《补充材料清单》 (BIZ-1.1): each missing item and how to obtain it; print (A4 / 80 mm), SMS, return visit."""
    ticket = _staff_ticket(request, ticket_id)
    missing = list(
        ticket.missing_materials.select_related("business_type").order_by("business_type_id", "sort_order")
    )
    if not missing:
        raise Http404
    from queueing.appointments import free_slots

    today = timezone.localdate(clock.now())
    slots = []
    for day in range(0, 4):
        for s in free_slots(
            hall=ticket.hall, business_type=ticket.business_type_id, day=today + timedelta(days=day)
        ):
            if s["free"] > 0:
                slots.append(s)
    ctx = {
        "ticket": ticket,
        "hall": ticket.hall,
        "missing": missing,
        "slots": slots[:24],
        "paper": request.GET.get("paper", "a4"),
        "issued_at": clock.now(),
        **extra,
    }
    return render(request, "queueing/supplement.html", ctx, status=extra.pop("status", 200) if extra else 200)


@login_required
@require_POST
def supplement_sms(request, ticket_id: int):
    ticket = _staff_ticket(request, ticket_id)
    try:
        services.supplement_sms_send(ticket=ticket, actor=request.user, mobile=request.POST.get("mobile", ""))
    except ServiceError as exc:
        return supplement(request, ticket_id, sms_error=exc.message, status=exc.status, posted=request.POST)
    return supplement(request, ticket_id, sms_sent=True)


@login_required
@require_POST
def supplement_appointment(request, ticket_id: int):
    from django.utils.dateparse import parse_datetime

    ticket = _staff_ticket(request, ticket_id)
    try:
        start = parse_datetime(request.POST.get("slot_start", "") or "")
        if start is None:
            raise ServiceError("invalid_slot", _("请选择预约时段"), field="slot_start")
        appt = services.appointment_book(
            hall=ticket.hall,
            business_type=ticket.business_type_id,
            slot_start=start,
            mobile=request.POST.get("mobile", ""),
            customer=ticket.customer,
            priority_kind=ticket.priority_kind,
            source="greeter",
            follow_up_of=ticket,
        )
    except ServiceError as exc:
        return supplement(request, ticket_id, appt_error=exc.message, status=exc.status, posted=request.POST)
    return supplement(request, ticket_id, appointment=appt)
