"""KPI pages (SUP-2, SUP-3): the dashboard (a hall for its manager, a region for the inspector, the chain for HQ,
a clerk's own figures), the rows behind a figure, the three-month flags, the exports, the monthly review pack and
the service analysis meeting with its improvement plan. Every page reads through the same selectors as the API."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from halls.models import Hall, Region
from kpi import exports, services
from kpi.annual import annual_pack, read_year
from kpi.definitions import JUDGED, KPIS
from kpi.models import Decision, FlagStatus, Meeting, PlanItem, PlanStatus, Subject
from kpi.pdf import pack_pdf, year_pdf
from kpi.report import chart_data, review_pack
from kpi.selectors import clerk_figures, flag_since, hall_figures, recent_figures
from kpi.web import current_month, previous_month, read_drill, read_flag_filters, read_month, read_scope
from lib.errors import ServiceError
from lib.months import add_months
from staff.access import hall_ids_with, user_can
from staff.web import raise_access_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def service_errors(view):
    """Access errors go on to the middleware (404 / 403); any other bad input is a 400 page with the message."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ServiceError as exc:
            raise_access_error(exc)
            if request.method == "POST" and exc.status in (400, 409):
                messages.error(request, str(exc.message))
                return redirect(request.META.get("HTTP_REFERER") or reverse("kpi:dashboard"))
            return HttpResponseBadRequest(str(exc.message))

    return wrapper


def _query(scope) -> str:
    if scope.kind == "clerk":
        return f"clerk={scope.clerk_id}"
    if scope.kind == "hall":
        return f"hall={scope.hall_code or Hall.objects.get(pk=scope.hall_ids[0]).code}"
    if scope.kind == "region":
        return f"region={getattr(scope, 'region_code', '')}"
    return ""


def _files(request, content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
@service_errors
def dashboard(request):
    user = request.user
    scope = read_scope(user, request.GET)
    scope.region_code = request.GET.get("region", "")
    month = read_month(request.GET.get("month"))
    prev = add_months(month, -1)
    figures, previous, series = recent_figures(scope, month, 12)
    pack_like = {"trend": series, "figures": figures}
    clerks = clerk_figures(scope, month) if scope.kind in ("hall", "halls") else []
    halls = hall_figures(scope, month) if scope.kind in ("region", "chain", "halls") else []
    for row in clerks + halls:  # the table cells: the judged KPIs in their order
        row["cells"] = [row["figures"][c] for c in JUDGED]
    context = {
        "scope": scope,
        "query": _query(scope),
        "month": month,
        "prev": prev,
        "is_current": month == current_month(),
        "cards": [(KPIS[c], figures[c], previous[c]) for c in KPIS],
        "clerks": clerks,
        "halls": halls,
        "judged": JUDGED,
        "judged_kpis": [KPIS[c] for c in JUDGED],
        "chart": chart_data(pack_like),
        "viewable_halls": Hall.objects.for_user(user, "kpi.view").order_by("code"),
        "regions": Region.objects.for_user(user).order_by("code")
        if hall_ids_with(user, "kpi.view") != set()
        else [],
        "can_view": hall_ids_with(user, "kpi.view") != set(),
        "can_export": user_can(user, "kpi.export"),
    }
    return render(request, "kpi/dashboard.html", context)


@login_required
@require_GET
@service_errors
def rows(request):
    data = read_drill(request.user, request.GET)
    data["kpi_label"] = KPIS[data["kpi"]].label
    data["totals"] = (sum(r["numerator"] for r in data["rows"]), sum(r["denominator"] for r in data["rows"]))
    data["back"] = reverse("kpi:dashboard") + "?" + request.GET.urlencode()
    return render(request, "kpi/rows.html", data)


@login_required
@require_GET
@service_errors
def flags(request):
    qs = read_flag_filters(request.user, request.GET)
    if request.GET.get("format") == "xlsx":
        if not user_can(request.user, "kpi.export"):
            raise PermissionDenied
        return _files(request, exports.flags_workbook(list(qs)), XLSX, "kpi-flags.xlsx")
    if not user_can(request.user, "kpi.view"):
        raise PermissionDenied
    rows = list(qs[:500])
    for f in rows:
        f.can_decide = user_can(
            request.user, "kpi.decide" if f.subject == Subject.CLERK else "kpi.decide_hall", f.hall_id
        )
        f.since = flag_since(f)
        f.choices = (
            [Decision.RETRAINING, Decision.REASSIGNMENT]
            if f.subject == Subject.CLERK
            else [Decision.REGION_REVIEW]
        )
    return render(
        request,
        "kpi/flags.html",
        {
            "flags": rows,
            "statuses": FlagStatus.choices,
            "params": request.GET,
            "decisions": Decision,
            "kpis": KPIS,
            "can_export": user_can(request.user, "kpi.export"),
        },
    )


@login_required
@require_POST
@service_errors
def flag_decide(request, pk: int):
    flag = services.flag_get(request.user, pk)
    services.flag_decide(
        flag=flag,
        actor=request.user,
        decision=request.POST.get("decision", ""),
        reason=request.POST.get("reason", ""),
        due=parse_date(request.POST.get("due") or "") or None,
    )
    messages.success(request, _("已记录处理决定"))
    return redirect("kpi:flags")


@login_required
@require_POST
@service_errors
def flag_follow_up(request, pk: int):
    flag = services.flag_get(request.user, pk)
    services.flag_follow_up(
        flag=flag,
        actor=request.user,
        note=request.POST.get("note", ""),
        close=request.POST.get("close") == "1",
    )
    messages.success(request, _("已记录跟进情况"))
    return redirect("kpi:flags")


@login_required
@require_GET
@service_errors
def export_clerks(request):
    scope = read_scope(request.user, request.GET)
    allowed = hall_ids_with(request.user, "kpi.export")
    if allowed is not None and not set(scope.drill_hall_ids()) <= allowed:
        raise PermissionDenied
    month = read_month(request.GET.get("month"), previous_month())
    return _files(
        request,
        exports.clerks_workbook(clerk_figures(scope, month), month),
        XLSX,
        f"kpi-clerks-{month:%Y-%m}.xlsx",
    )


def _pack(request):
    scope = read_scope(request.user, request.GET)
    scope.region_code = request.GET.get("region", "")
    return review_pack(scope, read_month(request.GET.get("month"), previous_month()), user=request.user)


@login_required
@require_GET
@service_errors
def pack(request):
    if not user_can(request.user, "kpi.view"):
        raise PermissionDenied
    p = _pack(request)
    fmt = request.GET.get("format", "")
    if fmt == "pdf":
        return _files(request, pack_pdf(p), "application/pdf", f"kpi-pack-{p['month']:%Y-%m}.pdf")
    if fmt == "xlsx":
        return _files(request, exports.pack_workbook(p), XLSX, f"kpi-pack-{p['month']:%Y-%m}.xlsx")
    if fmt:
        raise ServiceError("invalid_filter", _("筛选条件不正确"), field="format")
    p["query"] = _query(p["scope"])
    p["chart"] = chart_data(p)
    p["cards"] = [(KPIS[c], p["figures"][c], p["previous"][c]) for c in KPIS]
    p["can_meet"] = p["scope"].kind == "hall" and user_can(
        request.user, "kpi.meeting", p["scope"].hall_ids[0]
    )
    p["judged"] = JUDGED
    p["hall_code"] = p["scope"].hall_code
    return render(request, "kpi/pack.html", p)


@login_required
@require_GET
@service_errors
def pack_year(request):
    """The annual revision (SUP-3): the year's KPIs and the standard versions in force with what changed."""
    if not user_can(request.user, "kpi.view"):
        raise PermissionDenied
    scope = read_scope(request.user, request.GET)
    scope.region_code = request.GET.get("region", "")
    fmt = request.GET.get("format", "")
    if fmt not in ("", "pdf", "xlsx"):
        raise ServiceError("invalid_filter", _("筛选条件不正确"), field="format")
    p = annual_pack(scope, read_year(request.GET.get("year")))
    if fmt == "pdf":
        return _files(request, year_pdf(p), "application/pdf", f"kpi-year-{p['year']}.pdf")
    if fmt == "xlsx":
        return _files(request, exports.year_workbook(p), XLSX, f"kpi-year-{p['year']}.xlsx")
    p["query"] = _query(scope)
    p["cards"] = [(KPIS[c], p["figures"][c], None) for c in KPIS]
    return render(request, "kpi/pack_year.html", p)


@login_required
@require_POST
@service_errors
def meeting_create(request):
    hall = Hall.objects.for_user(request.user).filter(code=request.POST.get("hall", "")).first()
    if hall is None:
        raise Http404
    held_on = parse_date(request.POST.get("held_on") or "")
    if held_on is None:
        raise ServiceError("invalid_date", _("请填写会议日期"), field="held_on")
    m = services.meeting_record(
        hall=hall,
        actor=request.user,
        month=read_month(request.POST.get("month")),
        held_on=held_on,
        attendees=request.POST.get("attendees", ""),
        highlights=request.POST.get("highlights", ""),
        problems=request.POST.get("problems", ""),
        decisions=request.POST.get("decisions", ""),
    )
    return redirect("kpi:meeting", pk=m.pk)


@login_required
@service_errors
def meeting(request, pk: int):
    m = Meeting.objects.for_user(request.user, "kpi.view").filter(pk=pk).select_related("hall").first()
    if m is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            owner = get_user_model().objects.filter(pk=request.POST.get("owner") or 0).first()
            services.plan_item_add(
                meeting=m,
                actor=request.user,
                what=request.POST.get("what", ""),
                why=request.POST.get("why", ""),
                owner=owner,
                kpi=request.POST.get("kpi", ""),
            )
        elif action == "status":
            item = PlanItem.objects.filter(pk=request.POST.get("item") or 0, meeting=m).first()
            if item is None:
                raise Http404
            services.plan_item_update(
                item=item,
                actor=request.user,
                status=request.POST.get("status", ""),
                evidence=request.POST.get("evidence", ""),
            )
        else:
            raise ServiceError("invalid_action", _("操作不正确"))
        return redirect("kpi:meeting", pk=m.pk)
    staff = get_user_model().objects.filter(hall_assignments__hall=m.hall).distinct().order_by("username")
    return render(
        request,
        "kpi/meeting.html",
        {
            "meeting": m,
            "items": m.items.select_related("owner"),
            "staff": staff,
            "kpis": KPIS,
            "statuses": PlanStatus.choices,
            "can_edit": user_can(request.user, "kpi.meeting", m.hall_id),
        },
    )


@login_required
@service_errors
def process_changes(request):
    """The quarterly process optimisation register with before/after measures (SUP-3)."""
    from catalog.models import BusinessType
    from kpi.definitions import local_day
    from kpi.models import ProcessChange
    from kpi.process import process_change_record, process_effect

    if not user_can(request.user, "kpi.view"):
        raise PermissionDenied
    if request.method == "POST":
        hall = Hall.objects.for_user(request.user).filter(code=request.POST.get("hall", "")).first()
        if hall is None:
            raise Http404
        effective_on = parse_date(request.POST.get("effective_on") or "")
        if effective_on is None:
            raise ServiceError("invalid_date", _("请填写生效日期"), field="effective_on")
        process_change_record(
            hall=hall,
            business_type=request.POST.get("business_type") or 0,
            effective_on=effective_on,
            description=request.POST.get("description", ""),
            actor=request.user,
        )
        return redirect("kpi:process")
    from django.utils import timezone

    today = local_day(timezone.now())
    rows = list(
        ProcessChange.objects.for_user(request.user, "kpi.view").select_related("hall", "business_type")[:200]
    )
    for row in rows:
        row.effect = process_effect(row, today=today)
    halls = Hall.objects.for_user(request.user, "kpi.meeting").order_by("code")
    return render(
        request,
        "kpi/process.html",
        {
            "rows": rows,
            "halls": halls,
            "types": BusinessType.objects.filter(halls__in=halls).distinct().order_by("code"),
        },
    )
