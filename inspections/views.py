"""Pages: weekly self-inspection （tablet form and the 《服务自查报告》）， rectification board and items, the pre-shift
appearance check. Reads go through ``for_user``; every change is a POST that calls a service."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from facilities.models import Facility, FacilityStatus
from halls.models import Hall
from inspections import services
from inspections.models import (
    Answer,
    AppearanceCheck,
    ConductFinding,
    Inspection,
    Rectification,
    RectificationStatus,
    RunStatus,
    Section,
    TemplateKind,
    WeeklyObligation,
)
from inspections.pdf import report_pdf
from inspections.selectors import report_data
from lib.errors import ServiceError
from staff.access import user_can
from staff.web import raise_access_error


def _need(user, capability: str) -> None:
    if not user_can(user, capability):
        raise PermissionDenied


def _hall(user, raw, capability: str) -> Hall:
    halls = Hall.objects.for_user(user, capability).order_by("code")
    if raw in (None, ""):
        hall = halls.first()
        if hall is None:
            raise PermissionDenied
        return hall
    try:
        pk = int(raw)
    except ValueError:
        raise Http404 from None
    hall = halls.filter(pk=pk).first()
    if hall is None:
        if Hall.objects.for_user(user).filter(pk=pk).exists():
            raise PermissionDenied  # a visible hall, but not this right there
        raise Http404
    return hall


@login_required
@require_GET
def index_view(request):
    """This week's obligations, recent self-inspections and open rectification items of the user's halls."""
    _need(request.user, "inspection.view")
    week = services.week_start_of(services.local_day(timezone.now()))
    obligations = (
        WeeklyObligation.objects.for_user(request.user, "inspection.view")
        .filter(week_start__gte=week - timedelta(weeks=3))
        .select_related("hall")
        .order_by("hall__code", "-week_start")
    )
    runs = Inspection.objects.for_user(request.user, "inspection.view").select_related("hall", "inspector")[
        :20
    ]
    halls = Hall.objects.for_user(request.user, "inspection.conduct").order_by("code")
    return render(
        request,
        "inspections/index.html",
        {
            "obligations": obligations,
            "runs": runs,
            "halls": halls,
            "can_appearance": user_can(request.user, "appearance.check"),
            "can_plan": user_can(request.user, "mystery.plan"),
        },
    )


@login_required
@require_POST
def start_view(request):
    hall = _hall(request.user, request.POST.get("hall"), "inspection.conduct")
    try:
        run = services.inspection_start(hall=hall, actor=request.user)
    except ServiceError as exc:
        raise_access_error(exc)
        messages.error(request, str(exc.message))
        return redirect("inspections:index")
    return redirect("inspections:inspection", run.pk)


def _get_run(user, pk) -> Inspection:
    return get_object_or_404(
        Inspection.objects.for_user(user, "inspection.view").select_related("hall", "inspector"), pk=pk
    )


def _answers_from_post(request, snapshot) -> dict:
    answers = {}
    for item in snapshot:
        code = item["code"]
        raw = {
            "result": request.POST.get(f"r-{code}", ""),
            "score": request.POST.get(f"s-{code}", ""),
            "number": request.POST.get(f"n-{code}", ""),
            "note": request.POST.get(f"note-{code}", ""),
            "clerk": request.POST.get(f"clerk-{code}") or None,
            "owner": request.POST.get(f"owner-{code}") or None,
            "deadline": request.POST.get(f"deadline-{code}") or None,
            "facility": request.POST.get(f"facility-{code}", ""),
            "facility_id": request.POST.get(f"facility_id-{code}") or None,
            "photo": request.FILES.get(f"photo-{code}"),
        }
        if raw["result"] == "na":
            raw = {"result": "na"}
        answers[code] = raw
    return answers


def _sections(snapshot):
    labels = dict(Section.choices)
    out = []
    for item in snapshot:
        if not out or out[-1]["code"] != item["section"]:
            out.append({"code": item["section"], "label": labels.get(item["section"], ""), "items": []})
        out[-1]["items"].append(item)
    return out


@login_required
@require_http_methods(["GET", "POST"])
def inspection_view(request, pk: int):
    run = _get_run(request.user, pk)
    can_conduct = user_can(request.user, "inspection.conduct", run.hall)
    if run.status == RunStatus.DRAFT and can_conduct:
        error, values = None, {}
        if request.method == "POST":
            try:
                services.inspection_submit(
                    inspection=run, answers=_answers_from_post(request, run.snapshot), actor=request.user
                )
                messages.success(request, _("自查已提交，整改项已生成"))
                return redirect("inspections:inspection", run.pk)
            except ServiceError as exc:
                raise_access_error(exc)
                error, values = exc, request.POST
        staff = services.clerks_on_duty(run.hall)
        return render(
            request,
            "inspections/run_form.html",
            {
                "run": run,
                "sections": _sections(run.snapshot),
                "staff": staff,
                "facilities": Facility.objects.filter(hall=run.hall).exclude(status=FacilityStatus.RETIRED),
                "error": error,
                "values": values,
                "today": services.local_day(timezone.now()).isoformat(),
            },
            status=400 if error else 200,
        )
    if request.method == "POST":
        raise PermissionDenied
    return render(request, "inspections/report.html", report_data(run) | {"run": run})


@login_required
@require_GET
def report_pdf_view(request, pk: int):
    run = _get_run(request.user, pk)
    if run.status != RunStatus.SUBMITTED:
        raise Http404
    response = HttpResponse(report_pdf(report_data(run), run), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="self-inspection-{run.pk}.pdf"'
    return response


def _file(field, content_type: str):
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def answer_photo_view(request, pk: int):
    answer = get_object_or_404(Answer.objects.for_user(request.user, "inspection.view"), pk=pk)
    return _file(answer.photo, answer.photo_type)


# --- Rectification -------------------------------------------------------------------------------------------------
@login_required
@require_GET
def board_view(request):
    """The 公示 board of rectification items (``?print=1`` for the printable list)."""
    _need(request.user, "inspection.view")
    status = request.GET.get("status", "")
    if status and status not in RectificationStatus.values:
        return HttpResponse(_("未知的状态"), status=400)
    hall_raw = request.GET.get("hall", "")
    qs = Rectification.objects.for_user(request.user, "inspection.view").select_related(
        "hall", "owner__staff_profile"
    )
    if hall_raw:
        qs = qs.filter(hall=_hall(request.user, hall_raw, "inspection.view"))
    if status:
        qs = qs.filter(status=status)
    now = timezone.now()
    rows = list(qs.order_by("hall__code", "status", "deadline")[:500])
    for row in rows:
        row.overdue = row.is_overdue(now)
    return render(
        request,
        "inspections/board.html",
        {
            "rows": rows,
            "statuses": RectificationStatus.choices,
            "status": status,
            "printing": request.GET.get("print") == "1",
            "now": now,
        },
    )


def _get_rect(user, pk) -> Rectification:
    return get_object_or_404(
        Rectification.objects.for_user(user, "inspection.view").select_related("hall", "owner"), pk=pk
    )


@login_required
@require_GET
def rectification_view(request, pk: int):
    rect = _get_rect(request.user, pk)
    return render(request, "inspections/rectification.html", _rect_context(request.user, rect))


def _rect_context(user, rect, error=None):
    return {
        "rect": rect,
        "can_complete": rect.status == RectificationStatus.OPEN
        and (user.pk == rect.owner_id or user_can(user, "rectification.verify", rect.hall)),
        "can_verify": rect.status == RectificationStatus.COMPLETED
        and user_can(user, "rectification.verify", rect.hall),
        "error": error,
    }


@login_required
@require_POST
def rectification_complete_view(request, pk: int):
    rect = _get_rect(request.user, pk)
    try:
        services.rectification_complete(
            rectification=rect,
            actor=request.user,
            photo=request.FILES.get("photo"),
            note=request.POST.get("note", ""),
        )
    except ServiceError as exc:
        raise_access_error(exc)
        return render(
            request, "inspections/rectification.html", _rect_context(request.user, rect, exc), status=400
        )
    messages.success(request, _("已提交整改完成，等待验收"))
    return redirect("inspections:rectification", rect.pk)


@login_required
@require_POST
def rectification_verify_view(request, pk: int):
    rect = _get_rect(request.user, pk)
    decision = request.POST.get("decision")
    if decision not in ("accept", "return"):
        return render(
            request,
            "inspections/rectification.html",
            _rect_context(request.user, rect, ServiceError("decision", _("请选择验收结论"))),
            status=400,
        )
    try:
        services.rectification_verify(
            rectification=rect,
            actor=request.user,
            accept=decision == "accept",
            reason=request.POST.get("reason", ""),
        )
    except ServiceError as exc:
        raise_access_error(exc)
        return render(
            request, "inspections/rectification.html", _rect_context(request.user, rect, exc), status=400
        )
    messages.success(request, _("验收结果已记录"))
    return redirect("inspections:rectification", rect.pk)


@login_required
@require_GET
def evidence_view(request, pk: int):
    rect = _get_rect(request.user, pk)
    return _file(rect.evidence, rect.evidence_type)


# --- Appearance check ------------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def appearance_view(request):
    """班前会： every clerk of the hall in one screen; tap the items a clerk misses, then one submit."""
    hall = _hall(request.user, request.POST.get("hall") or request.GET.get("hall"), "appearance.check")
    error = None
    try:
        version = services.template_in_use(kind=TemplateKind.APPEARANCE, hall=hall)
    except ServiceError as exc:
        raise_access_error(exc)
        raise Http404 from exc
    clerks = list(services.clerks_on_duty(hall))
    if request.method == "POST":
        try:
            ids = [int(x) for x in request.POST.getlist("clerk")]
        except ValueError:
            ids = None
        if ids is None:
            error = ServiceError("clerks_required", _("请至少选择一名员工"))
        else:
            missed = {cid: request.POST.getlist(f"miss-{cid}") for cid in ids}
            try:
                done = services.appearance_record(hall=hall, actor=request.user, clerk_ids=ids, missed=missed)
                messages.success(request, _("已记录%(n)d名员工的班前检查") % {"n": len(done)})
                return redirect(f"{request.path}?hall={hall.pk}")
            except ServiceError as exc:
                raise_access_error(exc)
                error = exc
    today = services.local_day(timezone.now())
    checked = {c.clerk_id: c for c in AppearanceCheck.objects.filter(hall=hall, day=today)}
    for clerk in clerks:
        clerk.check = checked.get(clerk.pk)
    return render(
        request,
        "inspections/appearance.html",
        {
            "hall": hall,
            "halls": Hall.objects.for_user(request.user, "appearance.check").order_by("code"),
            "items": version.items,
            "clerks": clerks,
            "error": error,
            "today": today,
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def findings_view(request):
    """Conduct findings credited to clerks (self-inspection, appearance check, accepted mystery visits)."""
    _need(request.user, "inspection.view")
    qs = ConductFinding.objects.for_user(request.user, "inspection.view").select_related(
        "hall", "clerk__staff_profile"
    )
    if not user_can(request.user, "staff.view"):
        qs = qs.filter(clerk=request.user)  # a clerk sees their own
    return render(request, "inspections/findings.html", {"rows": qs[:300]})


# --- Templates and the item bank ----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def templates_view(request):
    """Publish a new template version (pick items from the bank) or add a bank item; past runs keep their copy."""
    from inspections.models import InspectionTemplate, Item, ResponseType

    _need(request.user, "inspection.template")
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                template = get_object_or_404(InspectionTemplate, pk=request.POST.get("template") or 0)
                version = services.template_publish(
                    template=template, item_codes=request.POST.getlist("items"), actor=request.user
                )
                messages.success(request, _("已发布第%(n)d版") % {"n": version.number})
            elif request.POST.get("action") == "item":
                services.item_create(
                    actor=request.user,
                    code=request.POST.get("code", ""),
                    section=request.POST.get("section", ""),
                    text=request.POST.get("text", ""),
                    response_type=request.POST.get("response_type", "pass_fail"),
                    clause=request.POST.get("clause", ""),
                    weight=_int(request.POST.get("weight"), 1),
                    max_score=_int(request.POST.get("max_score"), 1),
                    na_allowed=bool(request.POST.get("na_allowed")),
                    critical=bool(request.POST.get("critical")),
                    photo_on_fail=bool(request.POST.get("photo_on_fail")),
                )
                messages.success(request, _("检查项已加入题库"))
            else:
                raise ServiceError("action", _("未知的操作"))
            return redirect("inspections:templates")
        except ServiceError as exc:
            raise_access_error(exc)
            error = exc
    templates = []
    for template in InspectionTemplate.objects.all():
        current = template.current()
        codes = {i["code"] for i in current.items} if current else set()
        bank = Item.objects.filter(active=True)
        bank = (
            bank.filter(section=Section.APPEARANCE)
            if template.kind == TemplateKind.APPEARANCE
            else bank.exclude(section=Section.APPEARANCE)
        )
        templates.append({"template": template, "current": current, "bank": bank, "codes": codes})
    return render(
        request,
        "inspections/templates.html",
        {"templates": templates, "error": error, "sections": Section.choices, "types": ResponseType.choices},
        status=400 if error else 200,
    )


def _int(raw, default: int) -> int:
    try:
        return int(raw) if raw not in (None, "") else default
    except ValueError:
        raise ServiceError("invalid_number", _("请填写数字"), field="weight") from None
