"""Pages: the hall's 环境与设施 board, facility detail with its QR asset label (report a fault there in two taps),
fault handling with the A4 poster, the check form, cleaning rounds in a few big taps, the daily sheet."""

from __future__ import annotations

from datetime import date

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from facilities import selectors, services
from facilities.models import (
    CleaningRound,
    CleaningSheet,
    Facility,
    Fault,
    Occurrence,
    OccurrenceStatus,
    Photo,
)
from facilities.pdf import cleaning_sheet_pdf, notice_poster_pdf
from facilities.templatetags.facilities import board_context, greeter_context
from halls.models import Hall
from lib.errors import ServiceError
from staff.access import require, user_can

# One tap each on the phone page: what is wrong (the reporter may add words and a photo, but need not).
QUICK_PROBLEMS = [
    _("无法使用"),
    _("屏幕无反应"),
    _("缺纸或缺耗材"),
    _("破损或漏水"),
    _("网络或系统故障"),
]


def _hall(user, hall_id) -> Hall:
    return get_object_or_404(Hall.objects.for_user(user), pk=hall_id)


def _fail(request, exc: ServiceError, to: str):
    if exc.status in (403, 404):
        raise exc
    messages.error(request, str(exc.message))
    return redirect(to)


@login_required
@require_GET
def index(request):
    halls = list(Hall.objects.for_user(request.user))
    if len(halls) == 1:
        return redirect("facilities:hall", halls[0].pk)
    return render(request, "facilities/index.html", {"halls": halls})


@login_required
@require_GET
def hall_view(request, hall_id: int):
    hall = _hall(request.user, hall_id)
    now = timezone.now()
    today = timezone.localdate(now)
    ctx = selectors.board(hall=hall, now=now)
    ctx |= {
        "hall": hall,
        "availability": selectors.availability(hall=hall, year=today.year, month=today.month, now=now),
        "facilities": Facility.objects.filter(hall=hall).select_related("zone", "responsible__staff_profile"),
        "can_maintain": user_can(request.user, "facility.maintain", hall),
        "can_supervise": user_can(request.user, "facility.supervise", hall),
        "can_report": user_can(request.user, "facility.report", hall),
        "my_tasks": list(selectors.guide_tasks_for(request.user).filter(hall=hall)),
    }
    return render(request, "facilities/hall.html", ctx)


@login_required
@require_GET
def report_pick(request, hall_id: int):
    """Phone: tap the facility (first tap), then the problem on its page (second tap)."""
    hall = _hall(request.user, hall_id)
    return render(
        request,
        "facilities/report_pick.html",
        {"hall": hall, "facilities": Facility.objects.filter(hall=hall).exclude(status="retired")},
    )


def _facility(user, pk) -> Facility:
    return get_object_or_404(
        Facility.objects.for_user(user).select_related("hall", "zone", "responsible"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def facility_view(request, pk: int):
    facility = _facility(request.user, pk)
    if request.method == "POST":
        description = request.POST.get("description") or request.POST.get("quick") or ""
        try:
            fault = services.fault_report(
                facility=facility,
                reported_by=request.user,
                description=description,
                photo=request.FILES.get("photo"),
            )
        except ServiceError as exc:
            return _fail(request, exc, reverse("facilities:facility", args=[pk]))
        messages.success(request, _("已报修，值班人员会尽快处理"))
        return redirect("facilities:fault", fault.pk)
    return render(
        request,
        "facilities/facility.html",
        {
            "facility": facility,
            "history": facility.history.select_related("actor")[:30],
            "faults": facility.faults.all()[:20],
            "checks": facility.occurrences.select_related("plan").order_by("-window_start")[:20],
            "quick": QUICK_PROBLEMS,
            "can_report": user_can(request.user, "facility.report", facility.hall),
            "active_fault": facility.faults.filter(status__in=["suspected", "open", "under_repair"]).first(),
        },
    )


@login_required
@require_GET
def label_view(request, pk: int):
    """Printable asset label: the QR opens the facility page on a phone (report a fault, see its history)."""
    facility = _facility(request.user, pk)
    url = request.build_absolute_uri(reverse("facilities:facility", args=[facility.pk]))
    qr = segno.make(url, error="m").svg_inline(scale=5, omitsize=False)
    return render(request, "facilities/label.html", {"facility": facility, "qr_svg": qr})


def _fault(user, pk) -> Fault:
    return get_object_or_404(Fault.objects.for_user(user).select_related("facility", "hall", "guide"), pk=pk)


@login_required
@require_GET
def fault_view(request, pk: int):
    fault = _fault(request.user, pk)
    from sla.services import clocks_for

    return render(
        request,
        "facilities/fault.html",
        {
            "fault": fault,
            "clocks": clocks_for(fault),
            "photos": fault.photos.all(),
            "can_supervise": user_can(request.user, "facility.supervise", fault.hall),
        },
    )


FAULT_ACTIONS = {
    "confirm": lambda user, fault, post: services.fault_confirm(user=user, fault=fault),
    "dismiss": lambda user, fault, post: services.fault_dismiss(
        user=user, fault=fault, reason=post.get("reason", "")
    ),
    "repair": lambda user, fault, post: services.fault_start_repair(user=user, fault=fault),
    "resolve": lambda user, fault, post: services.fault_resolve(
        user=user, fault=fault, resolution=post.get("resolution", "")
    ),
    "release": lambda user, fault, post: services.guide_release(user=user, fault=fault),
}


@login_required
@require_POST
def fault_action(request, pk: int, action: str):
    fault = _fault(request.user, pk)
    handler = FAULT_ACTIONS.get(action)
    if handler is None:
        return HttpResponse(status=404)
    try:
        handler(request.user, fault, request.POST)
    except ServiceError as exc:
        return _fail(request, exc, reverse("facilities:fault", args=[pk]))
    messages.success(request, _("已处理"))
    return redirect("facilities:fault", pk)


@login_required
@require_GET
def fault_poster(request, pk: int):
    fault = _fault(request.user, pk)
    response = HttpResponse(notice_poster_pdf(fault), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{fault.pk}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def occurrence_view(request, pk: int):
    occ = get_object_or_404(
        Occurrence.objects.for_user(request.user).select_related("plan", "facility", "hall"), pk=pk
    )
    error = None
    if request.method == "POST":
        answers = {item["key"]: request.POST.get(item["key"], "") for item in occ.checklist}
        photos = {item["key"]: request.FILES.getlist(f"photo_{item['key']}") for item in occ.checklist}
        try:
            services.occurrence_complete(
                user=request.user,
                occurrence=occ,
                answers=answers,
                photos=photos,
                note=request.POST.get("note", ""),
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            messages.success(request, _("检查已记录"))
            return redirect("facilities:hall", occ.hall_id)
    return render(
        request,
        "facilities/occurrence.html",
        {
            "occ": occ,
            "error": error,
            "posted": request.POST if request.method == "POST" else {},
            "can_do": occ.status == OccurrenceStatus.OPEN
            and user_can(request.user, "facility.maintain", occ.hall),
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def round_done(request, pk: int):
    rnd = get_object_or_404(CleaningRound.objects.for_user(request.user), pk=pk)
    try:
        services.round_complete(
            user=request.user,
            cleaning_round=rnd,
            note=request.POST.get("note", ""),
            photo=request.FILES.get("photo"),
        )
    except ServiceError as exc:
        return _fail(request, exc, reverse("facilities:hall", args=[rnd.hall_id]))
    messages.success(request, _("已记录清洁完成"))
    return redirect(reverse("facilities:hall", args=[rnd.hall_id]) + "#rounds")


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ServiceError("day_invalid", _("日期格式不正确"), field="day") from None


@login_required
@require_http_methods(["GET", "POST"])
def sheet_view(request, hall_id: int, day: str):
    hall = _hall(request.user, hall_id)
    try:
        the_day = _day(day)
    except ServiceError:
        return HttpResponse(status=404)
    if request.method == "POST":
        try:
            services.sheet_sign(user=request.user, hall=hall, day=the_day)
        except ServiceError as exc:
            return _fail(request, exc, reverse("facilities:sheet", args=[hall_id, day]))
        messages.success(request, _("已签字"))
        return redirect("facilities:sheet", hall_id, day)
    rounds = list(
        CleaningRound.objects.filter(hall=hall, day=the_day).select_related("done_by__staff_profile")
    )
    sheet = (
        CleaningSheet.objects.filter(hall=hall, day=the_day)
        .select_related("signed_by__staff_profile")
        .first()
    )
    if request.GET.get("format") == "pdf":
        response = HttpResponse(
            cleaning_sheet_pdf(hall=hall, day=the_day, rounds=rounds, sheet=sheet),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = f'inline; filename="cleaning-{hall.code}-{the_day}.pdf"'
        return response
    return render(
        request,
        "facilities/sheet.html",
        {
            "hall": hall,
            "day": the_day,
            "rounds": rounds,
            "sheet": sheet,
            "can_sign": user_can(request.user, "facility.supervise", hall),
            "figure": selectors.compliance(hall=hall, day_from=the_day, day_to=the_day),
        },
    )


@login_required
@require_GET
def photo_view(request, pk: int):
    """Private evidence, only through this access-checked view."""
    photo = get_object_or_404(Photo.objects.for_user(request.user), pk=pk)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def greeter_fragment(request, hall_id: int):
    """The greeter tablet's self-service-down notice and guide tasks, refreshed on the hall's bus (ENV-2.2)."""
    hall = _hall(request.user, hall_id)
    require(request.user, "queue.greet", hall)
    return render(request, "facilities/_greeter.html", greeter_context(hall=hall, user=request.user))


@login_required
@require_GET
def board_fragment(request, hall_id: int):
    """The supervisor board's environment panel (issue 11 §6)."""
    hall = _hall(request.user, hall_id)
    require(request.user, "queue.supervise", hall)
    return render(request, "facilities/_board_panel.html", board_context(hall=hall))
