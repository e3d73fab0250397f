"""Mystery-shopper pages (SUP-1.3): plans and review for quality inspectors, accepted reports for the hall, and
the shopper's own visits. A shopper reaches only ``my-visits`` (their assigned visits) and nothing else."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from halls.models import Hall, Region
from inspections import visit_services as vs
from inspections.models import Item, Section, ShopperAccount, Visit, VisitMedia, VisitStatus
from inspections.views import _file
from lib.errors import ServiceError
from staff.access import user_can
from staff.web import raise_access_error


def _date(raw, field):
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ServiceError("invalid_date", _("日期格式不正确"), field=field) from None


@login_required
@require_GET
def visits_view(request):
    if not (user_can(request.user, "mystery.plan") or user_can(request.user, "inspection.view")):
        raise PermissionDenied
    status = request.GET.get("status", "")
    if status and status not in VisitStatus.values:
        return HttpResponse(_("未知的状态"), status=400)
    qs = vs.visits_visible(request.user)
    if status:
        qs = qs.filter(status=status)
    return render(
        request,
        "inspections/visits.html",
        {
            "rows": qs[:300],
            "can_plan": user_can(request.user, "mystery.plan"),
            "statuses": VisitStatus.choices,
        },
    )


def _shopper_choices(user):
    regions = Region.objects.for_user(user)
    return ShopperAccount.objects.filter(active=True, region__in=regions).select_related("user")


@login_required
@require_http_methods(["GET", "POST"])
def visit_new_view(request):
    if not user_can(request.user, "mystery.plan"):
        raise PermissionDenied
    halls = Hall.objects.for_user(request.user, "mystery.plan").order_by("code")
    error = None
    if request.method == "POST":
        try:
            hall = halls.filter(pk=request.POST.get("hall") or 0).first()
            if hall is None:
                raise ServiceError("hall_required", _("请选择营业厅"), field="hall")
            User = get_user_model()
            shopper = User.objects.filter(pk=request.POST.get("shopper") or 0).first()
            revisit = None
            if request.POST.get("revisit_of"):
                revisit = vs.visits_visible(request.user).filter(pk=request.POST["revisit_of"]).first()
                if revisit is None:
                    raise ServiceError(
                        "revisit_invalid", _("只能对本厅已通过的暗访安排复访"), field="revisit_of"
                    )
            visit = vs.visit_plan(
                hall=hall,
                scenario=request.POST.get("scenario", ""),
                item_codes=request.POST.getlist("items"),
                window_start=_date(request.POST.get("window_start"), "window_start"),
                window_end=_date(request.POST.get("window_end"), "window_end"),
                shopper=shopper,
                actor=request.user,
                revisit_of=revisit,
            )
            messages.success(request, _("暗访方案已创建"))
            return redirect("inspections:visit", visit.pk)
        except ServiceError as exc:
            raise_access_error(exc)
            error = exc
    items = Item.objects.filter(active=True).exclude(section=Section.APPEARANCE)
    return render(
        request,
        "inspections/visit_new.html",
        {
            "halls": halls,
            "items": items,
            "shoppers": _shopper_choices(request.user),
            "error": error,
            "values": request.POST,
            "revisit_of": request.GET.get("revisit_of", ""),
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def shopper_new_view(request):
    if not user_can(request.user, "mystery.plan"):
        raise PermissionDenied
    regions = Region.objects.for_user(request.user).order_by("code")
    error = None
    if request.method == "POST":
        try:
            region = regions.filter(pk=request.POST.get("region") or 0).first()
            vs.shopper_create(
                region=region,
                username=request.POST.get("username", ""),
                password=request.POST.get("password", ""),
                actor=request.user,
            )
            messages.success(request, _("暗访员账号已创建"))
            return redirect("inspections:visit_new")
        except ServiceError as exc:
            raise_access_error(exc)
            error = exc
    return render(
        request,
        "inspections/shopper_new.html",
        {"regions": regions, "error": error, "values": request.POST},
        status=400 if error else 200,
    )


@login_required
@require_GET
def visit_view(request, pk: int):
    visit = get_object_or_404(vs.visits_visible(request.user), pk=pk)
    return render(request, "inspections/visit.html", _visit_context(request.user, visit))


def _visit_context(user, visit, error=None):
    texts = {i["code"]: i for i in visit.items}
    for answer in visit.answers:
        answer["text"] = texts.get(answer["code"], {}).get("text", "")
    return {
        "visit": visit,
        "can_review": visit.status == VisitStatus.SUBMITTED and user_can(user, "mystery.plan", visit.hall),
        "can_plan": user_can(user, "mystery.plan", visit.hall),
        "media": visit.media.all(),
        "error": error,
    }


@login_required
@require_POST
def visit_review_view(request, pk: int):
    visit = get_object_or_404(vs.visits_visible(request.user), pk=pk)
    decision = request.POST.get("decision")
    try:
        if decision not in ("accept", "return"):
            raise ServiceError("decision", _("请选择审核结论"), field="decision")
        vs.visit_review(
            visit=visit,
            actor=request.user,
            accept=decision == "accept",
            reason=request.POST.get("reason", ""),
        )
    except ServiceError as exc:
        raise_access_error(exc)
        return render(request, "inspections/visit.html", _visit_context(request.user, visit, exc), status=400)
    messages.success(request, _("审核结果已记录"))
    return redirect("inspections:visit", visit.pk)


@login_required
@require_GET
def visit_media_view(request, pk: int, media_id: int):
    visit = Visit.objects.assigned_to(request.user).filter(pk=pk).first()
    if visit is None:
        visit = get_object_or_404(vs.visits_visible(request.user), pk=pk)
    media = get_object_or_404(VisitMedia.objects.filter(visit=visit), pk=media_id)
    return _file(media.file, media.content_type)


# --- The shopper's side ---------------------------------------------------------------------------------------------
@login_required
@require_GET
def my_visits_view(request):
    rows = Visit.objects.assigned_to(request.user).select_related("hall")
    return render(request, "inspections/my_visits.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def my_visit_view(request, pk: int):
    visit = get_object_or_404(Visit.objects.assigned_to(request.user).select_related("hall"), pk=pk)
    editable = visit.status in (VisitStatus.PLANNED, VisitStatus.RETURNED)
    error = None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        answers = {}
        for item in visit.items:
            code = item["code"]
            result = request.POST.get(f"r-{code}", "")
            answers[code] = {
                "result": result,
                "score": request.POST.get(f"s-{code}", ""),
                "number": request.POST.get(f"n-{code}", ""),
                "note": request.POST.get(f"note-{code}", ""),
            }
        try:
            vs.visit_report_submit(
                visit=visit,
                actor=request.user,
                arrived_at=request.POST.get("arrived_at"),
                ticket_number=request.POST.get("ticket_number", ""),
                called_at=request.POST.get("called_at"),
                counter_label=request.POST.get("counter_label", ""),
                clerk_observed=request.POST.get("clerk_observed", ""),
                left_at=request.POST.get("left_at"),
                answers=answers,
                findings=request.POST.get("findings", ""),
                suggestions=request.POST.get("suggestions", ""),
                files=request.FILES.getlist("files"),
            )
            messages.success(request, _("暗访报告已提交"))
            return redirect("inspections:my_visits")
        except ServiceError as exc:
            raise_access_error(exc)
            error = exc
    return render(
        request,
        "inspections/my_visit.html",
        {
            "visit": visit,
            "editable": editable,
            "error": error,
            "values": request.POST,
            "min_chars": vs.min_findings_chars(),
            "min_photos": vs.min_photos(),
            "now": timezone.localtime(),
        },
        status=400 if error else 200,
    )
