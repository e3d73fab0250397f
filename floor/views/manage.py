"""Staff pages: announcements (ENV-3, ``announcement.publish``) and emergency mode (STF-3.2, ``emergency.declare``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from floor import selectors, services
from floor.forms import AnnouncementForm, IncidentDeclareForm, IncidentEndForm, IncidentExtendForm
from floor.models import Announcement, Incident
from halls.models import Hall
from lib.errors import ServiceError
from staff.access import require, user_can


def _hall(request, hall_id: int, capability: str) -> Hall:
    hall = get_object_or_404(Hall.objects.for_user(request.user), pk=hall_id)
    require(request.user, capability, hall)
    return hall


def _form_error(form, exc: ServiceError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


@login_required
def index(request):
    halls = list(Hall.objects.for_user(request.user).select_related("region"))
    open_incidents = {
        i.hall_id: i for i in Incident.objects.for_user(request.user).filter(ended_at__isnull=True)
    }
    rows = [
        {
            "hall": h,
            "announce": user_can(request.user, "announcement.publish", h),
            "emergency": user_can(request.user, "emergency.declare", h),
            "greet": user_can(request.user, "queue.greet", h),
            "board": user_can(request.user, "queue.supervise", h),
            "incident": open_incidents.get(h.pk),
        }
        for h in halls
    ]
    return render(request, "floor/index.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def announcements(request, hall_id: int):
    hall = _hall(request, hall_id, "announcement.publish")
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_publish(user=request.user, hall=hall, **form.cleaned_data)
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("公告已发布"))
            return redirect("floor:announcements", hall_id=hall.pk)
    rows = Announcement.objects.for_user(request.user).for_hall(hall).select_related("published_by")[:50]
    effective = {a.pk for a in selectors.effective_announcements(hall=hall, limit=50)}
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "floor/announcements.html",
        {"hall": hall, "form": form, "rows": rows, "effective": effective},
        status=status,
    )


@login_required
@require_POST
def announcement_withdraw(request, hall_id: int, pk: int):
    hall = _hall(request, hall_id, "announcement.publish")
    announcement = get_object_or_404(Announcement.objects.for_user(request.user).for_hall(hall), pk=pk)
    try:
        services.announcement_withdraw(user=request.user, announcement=announcement)
        messages.success(request, _("公告已撤下"))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("floor:announcements", hall_id=hall.pk)


@login_required
@require_http_methods(["GET", "POST"])
def emergency(request, hall_id: int):
    """Declare / adjust / end an incident; the manager sees the list with the log."""
    hall = _hall(request, hall_id, "emergency.declare")
    current = selectors.open_incident(hall=hall)
    action = request.POST.get("action") if request.method == "POST" else None
    declare_form = IncidentDeclareForm(request.POST if action == "declare" else None)
    extend_form = IncidentExtendForm(request.POST if action == "extend" else None)
    end_form = IncidentEndForm(request.POST if action == "end" else None)
    form = {"declare": declare_form, "extend": extend_form, "end": end_form}.get(action)
    if form is not None and form.is_valid():
        try:
            if action == "declare":
                services.incident_declare(user=request.user, hall=hall, **form.cleaned_data)
                messages.success(request, _("已启动应急模式，叫号屏和取号机已显示提示"))
            elif current is None:
                raise ServiceError("incident_closed", _("该应急事件已结束"))
            elif action == "extend":
                services.incident_extend(user=request.user, incident=current, **form.cleaned_data)
                messages.success(request, _("已调整预计恢复时间"))
            else:
                services.incident_end(user=request.user, incident=current, **form.cleaned_data)
                messages.success(request, _("应急模式已结束"))
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            return redirect("floor:emergency", hall_id=hall.pk)
    history = Incident.objects.for_user(request.user).filter(hall=hall).prefetch_related("log__actor")[:30]
    return render(
        request,
        "floor/emergency.html",
        {
            "hall": hall,
            "current": current,
            "notice": current.customer_notice() if current else "",
            "declare_form": declare_form,
            "extend_form": extend_form,
            "end_form": end_form,
            "history": history,
        },
        status=400 if form is not None and form.errors else 200,
    )
