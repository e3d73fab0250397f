"""STF-3.2: the clerk's report from the console, and the supervisor's panel of open reports on the board."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from floor import services
from floor.models import IncidentReport
from floor.views.manage import _hall
from halls.models import Counter
from lib.errors import ServiceError


def _back(request, hall):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("floor:index")


@login_required
@require_POST
def report_create(request, hall_id: int):
    """One tap on the console: 系统故障 / 现场纠纷， an optional note."""
    hall = _hall(request, hall_id, "queue.serve")
    counter_id = request.POST.get("counter", "")
    counter = Counter.objects.filter(hall=hall, pk=int(counter_id)).first() if counter_id.isdigit() else None
    context = {"hall": hall, "counter": counter, "next": request.POST.get("next", "")}
    try:
        report = services.incident_report(
            user=request.user,
            hall=hall,
            kind=request.POST.get("kind", ""),
            note=request.POST.get("note", ""),
            counter=counter,
        )
    except ServiceError as exc:
        if request.headers.get("HX-Request"):
            return render(
                request, "floor/_incident_report_form.html", context | {"error": exc.message}, status=400
            )
        messages.error(request, str(exc.message))
        return _back(request, hall)
    if request.headers.get("HX-Request"):
        return render(request, "floor/_incident_report_form.html", context | {"sent": report})
    messages.success(request, _("已报告值班主管"))
    return _back(request, hall)


def _panel_context(request, hall) -> dict:
    return {"hall": hall, "reports": services.open_reports(hall=hall)}


@login_required
@require_GET
def report_panel(request, hall_id: int):
    hall = _hall(request, hall_id, "emergency.declare")
    return render(request, "floor/_incident_reports.html", _panel_context(request, hall))


@login_required
@require_POST
def report_act(request, hall_id: int, pk: int, action: str):
    """Turn the report into emergency mode (with the expected recovery minutes), or close it."""
    hall = _hall(request, hall_id, "emergency.declare")
    report = get_object_or_404(IncidentReport.objects.for_user(request.user).filter(hall=hall), pk=pk)
    try:
        if action == "declare":
            services.incident_report_declare(
                user=request.user, report=report, minutes=request.POST.get("minutes")
            )
            messages.success(request, _("已启动应急模式，叫号屏和取号机已显示提示"))
        else:
            services.incident_report_dismiss(user=request.user, report=report)
            messages.success(request, _("汇报已处理"))
    except ServiceError as exc:
        if request.headers.get("HX-Request"):
            context = _panel_context(request, hall) | {"error": exc.message, "error_report": report.pk}
            return render(request, "floor/_incident_reports.html", context, status=400)
        messages.error(request, str(exc.message))
    return redirect("floor:board", hall_id=hall.pk)
