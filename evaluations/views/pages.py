"""Staff pages (SUP-1.2): the monthly report (managers, inspectors, auditors; a clerk sees their own), flagged
evaluations to review, low-score follow-ups, pad provisioning; and the customer's phone page (signed link)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evaluations import report, services
from evaluations.models import (
    TOP_LEVELS,
    Evaluation,
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    Level,
    RatingPad,
    ReasonChip,
    Review,
)
from halls.models import Counter, Hall
from lib.errors import NotFound, ServiceError
from staff.access import hall_ids_with, user_can
from staff.web import raise_access_error


def parse_month(raw: str | None) -> date:
    """``YYYY-MM``; empty = this month; anything else is refused (never silently ignored)."""
    if not raw:
        return timezone.localdate().replace(day=1)
    try:
        year, month = (int(x) for x in raw.split("-", 1))
        return date(year, month, 1)
    except ValueError as exc:
        raise ServiceError("invalid_month", _("月份格式应为 YYYY-MM"), field="month") from exc


def _bad(request, exc: ServiceError):
    return HttpResponseBadRequest(str(exc.message))


def _can_read(user) -> bool:
    return user_can(user, "evaluation.view") or user_can(user, "evaluation.own")


@login_required
@require_GET
def index(request):
    if not _can_read(request.user):
        raise PermissionDenied
    try:
        month = parse_month(request.GET.get("month"))
        group = request.GET.get("group") or "clerk"
        if group not in report.GROUPS:
            raise ServiceError("invalid_group", _("统计维度不正确"), field="group")
    except ServiceError as exc:
        return _bad(request, exc)
    evs, invs = report.scoped(request.user)
    hall_id = request.GET.get("hall") or ""
    if hall_id:
        if not hall_id.isdigit():
            return HttpResponseBadRequest(_("营业厅不正确"))
        evs, invs = evs.filter(hall_id=int(hall_id)), invs.filter(hall_id=int(hall_id))
    data = report.monthly(evaluations=evs, invitations=invs, month=month, group=group)
    start, end = report.month_bounds(month)
    recent = (
        evs.filter(submitted_at__gte=start, submitted_at__lt=end)
        .select_related("hall", "counter", "clerk__staff_profile", "business_type")
        .prefetch_related("reasons")[:50]
    )
    return render(
        request,
        "evaluations/index.html",
        {
            "data": data,
            "recent": recent,
            "own_only": not user_can(request.user, "evaluation.view"),
            "halls": Hall.objects.for_user(request.user),
            "params": request.GET,
            "groups": [("clerk", _("按员工")), ("hall", _("按营业厅")), ("region", _("按区域"))],
            "can_review": user_can(request.user, "evaluation.review"),
            "can_follow_up": user_can(request.user, "evaluation.follow_up"),
        },
    )


@login_required
@require_GET
def flagged(request):
    ids = hall_ids_with(request.user, "evaluation.review")
    if ids is not None and not ids:
        raise PermissionDenied
    qs = Evaluation.objects.filter(review=Review.PENDING).select_related(
        "hall", "counter", "clerk__staff_profile"
    )
    if ids is not None:
        qs = qs.filter(hall_id__in=ids)
    return render(request, "evaluations/flagged.html", {"items": qs[:200]})


@login_required
@require_POST
def review(request, pk: int):
    item = get_object_or_404(Evaluation.objects.for_user(request.user), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("accept", "reject"):
        return HttpResponseBadRequest(_("请选择复核结论"))
    try:
        services.evaluation_review(evaluation=item, actor=request.user, accept=decision == "accept")
    except ServiceError as exc:
        raise_access_error(exc)
        return _bad(request, exc)
    return redirect("evaluations:flagged")


@login_required
@require_http_methods(["GET", "POST"])
def follow_ups(request):
    ids = hall_ids_with(request.user, "evaluation.follow_up")
    if ids is not None and not ids:
        raise PermissionDenied
    qs = FollowUp.objects.select_related(
        "hall", "evaluation__ticket", "evaluation__counter", "evaluation__clerk__staff_profile"
    ).prefetch_related("evaluation__reasons")
    if ids is not None:
        qs = qs.filter(hall_id__in=ids)
    error, error_pk = "", None
    if request.method == "POST":
        item = get_object_or_404(qs, pk=request.POST.get("follow_up") or 0)
        try:
            services.follow_up_complete(
                follow_up=item,
                actor=request.user,
                outcome=request.POST.get("outcome", ""),
                note=request.POST.get("note", ""),
            )
            return redirect("evaluations:follow_ups")
        except ServiceError as exc:
            error, error_pk = exc.message, item.pk
    from sla.models import Clock, Target

    items = list(qs.filter(status=FollowUpStatus.OPEN)[:200]) + list(
        qs.filter(status=FollowUpStatus.DONE)[:50]
    )
    deadlines = {}
    if items:
        from django.contrib.contenttypes.models import ContentType

        ct = ContentType.objects.get_for_model(FollowUp)
        for c in Clock.objects.filter(
            content_type=ct, object_id__in=[i.pk for i in items], target=Target.EVALUATION_FOLLOW_UP
        ):
            deadlines[c.object_id] = c
    for i in items:
        i.clock = deadlines.get(i.pk)
    return render(
        request,
        "evaluations/follow_ups.html",
        {"items": items, "outcomes": FollowUpOutcome.choices, "error": error, "error_pk": error_pk},
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pads(request, hall_id: int):
    hall = get_object_or_404(Hall.objects.for_user(request.user), pk=hall_id)
    if not user_can(request.user, "evaluation.configure", hall):
        raise PermissionDenied
    raw, error = "", ""
    if request.method == "POST":
        counter = Counter.objects.filter(hall=hall, pk=request.POST.get("counter") or 0).first()
        if counter is None:
            error = _("请选择本厅的窗口")
        else:
            _pad, raw = services.rating_pad_create(counter=counter, actor=request.user)
    counters = Counter.objects.filter(hall=hall).order_by("number")
    paired = {p.counter_id: p for p in RatingPad.objects.filter(hall=hall).select_related("token")}
    rows = [{"counter": c, "pad": paired.get(c.pk)} for c in counters]
    return render(
        request,
        "evaluations/pads.html",
        {"hall": hall, "rows": rows, "raw": raw, "error": error},
        status=400 if error else 200,
    )


# --- the customer's phone page (from the SMS link) ---------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def phone(request, token: str):
    try:
        inv = services.invitation_from_link(token)
    except NotFound as exc:
        raise Http404 from exc
    except ServiceError as exc:
        return render(request, "evaluations/phone.html", {"closed": exc.message}, status=exc.status)
    context = {
        "inv": inv,
        "levels": [(v, label, v in TOP_LEVELS) for v, label in Level.choices],
        "chips": ReasonChip.objects.filter(active=True),
    }
    if request.method == "POST":
        try:
            services.evaluation_submit(
                invitation=inv,
                level=request.POST.get("level"),
                reasons=request.POST.getlist("reasons"),
                comment=request.POST.get("comment", ""),
                channel="web",
                user=request.user,
            )
        except ServiceError as exc:
            context.update(error=exc.message, error_field=exc.field, posted=request.POST)
            return render(request, "evaluations/phone.html", context, status=exc.status)
        return render(request, "evaluations/phone.html", {"thanks": True})
    if hasattr(inv, "evaluation") or inv.status != "invited":
        return render(
            request, "evaluations/phone.html", {"closed": _("该号已评价或评价已结束，感谢您的参与")}
        )
    return render(request, "evaluations/phone.html", context)
