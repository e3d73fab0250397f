"""Training pages (STF-3.1): the manager's sessions and coverage, the clerk's own trainings and the QR sign-in."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.web import error_to_form as _error_to_form
from halls.models import Hall
from lib.errors import ServiceError
from staff.access import hall_ids_with, user_can
from staff.web import raise_access_error
from training import services
from training.forms import CasesForm, ManualForm, MaterialForm, RetrainingForm, ScoreForm, SessionForm
from training.models import (
    Attendance,
    MaterialKind,
    RetrainingAssignment,
    RetrainingStatus,
    SessionKind,
    SessionStatus,
    TrainingMaterial,
)
from training.selectors import (
    case_view,
    coverage_for_halls,
    month_bounds,
    month_choices,
    my_training,
    parse_month,
    readable_hall_ids,
    session_list,
    sessions_for,
)


def _halls_with(user, capability):
    ids = hall_ids_with(user, capability)
    qs = Hall.objects.filter(is_active=True)
    return qs if ids is None else qs.filter(pk__in=ids)


def _pick_hall(request, capability: str):
    """The hall named by ``?hall=`` among those where the user holds the right (404 otherwise), else the first."""
    halls = list(_halls_with(request.user, capability))
    if not halls:
        raise PermissionDenied
    raw = request.POST.get("hall") or request.GET.get("hall")
    if raw:
        found = [h for h in halls if str(h.pk) == str(raw)]
        if not found:
            raise Http404
        return found[0], halls
    return halls[0], halls


def _session(user, pk):
    return get_object_or_404(sessions_for(user).select_related("hall", "trainer__staff_profile"), pk=pk)


def _require_reader(user) -> None:
    ids = readable_hall_ids(user)
    if ids is not None and not ids:
        raise PermissionDenied


@login_required
@require_GET
def session_list_view(request):
    if readable_hall_ids(request.user) == set():
        if user_can(request.user, "training.attend"):
            return redirect("training:mine")
        raise PermissionDenied
    params = request.GET
    error, rows, status = None, [], 200
    try:
        year, month = parse_month(params.get("month"))
        rows = list(
            session_list(
                user=request.user,
                year=year,
                month=month,
                hall_id=params.get("hall"),
                kind=params.get("kind", ""),
            )
        )
    except ServiceError as exc:
        error, status = exc.message, 400
        year, month = parse_month("")
    ids = readable_hall_ids(request.user)
    halls = Hall.objects.all() if ids is None else Hall.objects.filter(pk__in=ids)
    return render(
        request,
        "training/list.html",
        {
            "sessions": rows,
            "error": error,
            "month": f"{year:04d}-{month:02d}",
            "months": month_choices(year, month),
            "kinds": SessionKind.choices,
            "halls": halls,
            "params": params,
            "can_manage": user_can(request.user, "training.manage"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_new_view(request):
    hall, halls = _pick_hall(request, "training.manage")
    status = 200
    if request.method == "POST":
        form = SessionForm(request.POST, hall=hall)
        if form.is_valid():
            d = form.cleaned_data
            try:
                session = services.session_create(
                    hall=hall,
                    kind=d["kind"],
                    title=d["title"],
                    starts_at=d["starts_at"],
                    ends_at=d["ends_at"],
                    trainer=d["trainer"],
                    trainer_name=d["trainer_name"],
                    description=d["description"],
                    links=d["links"].splitlines(),
                    has_quiz=d["has_quiz"],
                    actor=request.user,
                )
            except ServiceError as exc:
                raise_access_error(exc)
                _error_to_form(form, exc)
            else:
                messages.success(request, _("培训已安排"))
                return redirect("training:detail", pk=session.pk)
        status = 400
    else:
        form = SessionForm(hall=hall, initial={"kind": request.GET.get("kind") or SessionKind.BRIEFING})
    return render(request, "training/new.html", {"form": form, "hall": hall, "halls": halls}, status=status)


def _detail(request, session, status=200, **forms):
    can_manage = services.can_manage(request.user, session.hall)
    attendances = session.attendances.select_related("clerk__staff_profile")
    links = session.case_links.select_related("complaint__business_type")
    mine = Attendance.objects.filter(session=session, clerk=request.user).first()
    if not (can_manage or user_can(request.user, "report.view", session.hall)):
        attendances = attendances.none()  # a trainee sees the session, not who else attended
    return render(
        request,
        "training/detail.html",
        {
            "s": session,
            "can_manage": can_manage,
            "materials": session.materials.all(),
            "cases": [case_view(link.complaint) for link in links],
            "attendances": attendances,
            "mine": mine,
            "Kind": SessionKind,
            "Status": SessionStatus,
            "material_form": forms.get("material_form") or MaterialForm(),
            "cases_form": forms.get("cases_form") or CasesForm(),
            "manual_form": forms.get("manual_form") or ManualForm(hall=session.hall),
            "score_error": forms.get("score_error"),
            "sign_in_open": session.sign_in_open(),
        },
        status=status,
    )


@login_required
@require_GET
def session_detail_view(request, pk):
    return _detail(request, _session(request.user, pk))


@login_required
@require_GET
def session_qr_view(request, pk):
    """The QR fragment the trainer's screen re-draws every minute (htmx); a fresh token each time."""
    session = _session(request.user, pk)
    try:
        data = services.signin_token(session=session, actor=request.user)
    except ServiceError as exc:
        raise_access_error(exc)
        return render(request, "training/_qr.html", {"error": exc.message}, status=exc.status)
    url = request.build_absolute_uri(data["path"])
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2)
    response = render(
        request,
        "training/_qr.html",
        {"svg": mark_safe(svg), "expires_at": data["expires_at"], "url": url, "s": session},  # noqa: S308
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def session_material_view(request, pk):
    session = _session(request.user, pk)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if d["file"]:
                services.material_add_file(
                    session=session, actor=request.user, upload=d["file"], title=d["title"]
                )
            else:
                services.material_add_link(
                    session=session, actor=request.user, url=d["url"], title=d["title"]
                )
        except ServiceError as exc:
            raise_access_error(exc)
            _error_to_form(form, exc)
        else:
            messages.success(request, _("资料已添加"))
            return redirect("training:detail", pk=pk)
    return _detail(request, session, status=400, material_form=form)


@login_required
@require_GET
def material_file_view(request, pk, material_id):
    """Private materials, only through this access-checked view (never a storage URL)."""
    session = _session(request.user, pk)
    material = get_object_or_404(TrainingMaterial, session=session, pk=material_id, kind=MaterialKind.FILE)
    response = FileResponse(material.file.open("rb"), content_type=material.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def session_cases_view(request, pk):
    session = _session(request.user, pk)
    form = CasesForm(request.POST)
    if form.is_valid():
        try:
            services.session_link_cases(
                session=session, actor=request.user, numbers=form.cleaned_data["numbers"].split()
            )
        except ServiceError as exc:
            raise_access_error(exc)
            _error_to_form(form, exc)
        else:
            messages.success(request, _("案例已关联"))
            return redirect("training:detail", pk=pk)
    return _detail(request, session, status=400, cases_form=form)


@login_required
@require_POST
def session_cancel_view(request, pk):
    session = _session(request.user, pk)
    try:
        services.session_cancel(session=session, actor=request.user)
    except ServiceError as exc:
        raise_access_error(exc)
        messages.error(request, str(exc.message))
        return _detail(request, session, status=exc.status)
    messages.success(request, _("培训已取消"))
    return redirect("training:detail", pk=pk)


@login_required
@require_POST
def attendance_manual_view(request, pk):
    session = _session(request.user, pk)
    form = ManualForm(request.POST, hall=session.hall)
    if form.is_valid():
        clerk = get_user_model().objects.filter(pk=form.cleaned_data["clerk"]).first()
        try:
            services.attendance_record(session=session, clerk=clerk, actor=request.user)
        except ServiceError as exc:
            raise_access_error(exc)
            _error_to_form(form, exc)
        else:
            messages.success(request, _("已补登签到"))
            return redirect("training:detail", pk=pk)
    return _detail(request, session, status=400, manual_form=form)


@login_required
@require_POST
def attendance_score_view(request, pk, attendance_id):
    session = _session(request.user, pk)
    attendance = get_object_or_404(Attendance, session=session, pk=attendance_id)
    form = ScoreForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("invalid_score", _("测验成绩应为0到100的整数"), field="score")
        services.attendance_score(attendance=attendance, actor=request.user, score=form.cleaned_data["score"])
    except ServiceError as exc:
        raise_access_error(exc)
        return _detail(
            request, session, status=400, score_error={"id": attendance.pk, "message": exc.message}
        )
    messages.success(request, _("成绩已保存"))
    return redirect("training:detail", pk=pk)


@login_required
@require_GET
def coverage_view(request):
    """STF-3.1: who has had this month's training, and who is still missing before the month ends."""
    _require_reader(request.user)
    ids = readable_hall_ids(request.user)
    halls = Hall.objects.filter(is_active=True)
    if ids is not None:
        halls = halls.filter(pk__in=ids)
    error, status = None, 200
    try:
        year, month = parse_month(request.GET.get("month"))
        raw = request.GET.get("hall")
        if raw:
            chosen = [h for h in halls if str(h.pk) == raw]
            if not chosen:
                raise ServiceError("invalid_hall", _("营业厅参数不正确"), field="hall")
            rows = coverage_for_halls(halls=chosen, year=year, month=month)
        else:
            rows = coverage_for_halls(halls=halls, year=year, month=month)
    except ServiceError as exc:
        error, status, rows = exc.message, 400, []
        year, month = parse_month("")
    start, end = month_bounds(year, month)
    now = timezone.now()
    days_left = (end - timezone.localtime(now)).days + 1 if start <= now < end else None
    return render(
        request,
        "training/coverage.html",
        {
            "rows": rows,
            "error": error,
            "month": f"{year:04d}-{month:02d}",
            "months": month_choices(year, month),
            "days_left": days_left,
            "halls": halls,
            "params": request.GET,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def retraining_view(request):
    hall, halls = _pick_hall(request, "training.assign")
    status = 200
    form = RetrainingForm(hall=hall)
    if request.method == "POST":
        form = RetrainingForm(request.POST, hall=hall)
        if form.is_valid():
            d = form.cleaned_data
            clerk = get_user_model().objects.filter(pk=d["clerk"]).first()
            try:
                services.retraining_assign(
                    clerk=clerk, hall=hall, reason=d["reason"], assigned_by=request.user, due=d["due"]
                )
            except ServiceError as exc:
                raise_access_error(exc)
                _error_to_form(form, exc)
            else:
                messages.success(request, _("已指派转岗培训"))
                return redirect(f"{request.path}?hall={hall.pk}")
        status = 400
    assignments = (
        RetrainingAssignment.objects.for_user(request.user)
        .filter(hall=hall)
        .select_related("clerk__staff_profile", "session", "assigned_by__staff_profile")[:100]
    )
    return render(
        request,
        "training/retraining.html",
        {"form": form, "hall": hall, "halls": halls, "assignments": assignments, "Status": RetrainingStatus},
        status=status,
    )


@login_required
@require_POST
def retraining_cancel_view(request, pk):
    assignment = get_object_or_404(RetrainingAssignment.objects.for_user(request.user), pk=pk)
    try:
        services.retraining_cancel(assignment=assignment, actor=request.user)
    except ServiceError as exc:
        raise_access_error(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已撤销指派"))
    return redirect(f"{reverse('training:retraining')}?hall={assignment.hall_id}")


@login_required
@require_GET
def mine_view(request):
    if not user_can(request.user, "training.attend"):
        raise PermissionDenied
    today = timezone.localdate()
    data = my_training(user=request.user, year=today.year, month=today.month)
    return render(request, "training/mine.html", data | {"today": today, "now": timezone.now()})


@login_required
@require_http_methods(["GET", "POST"])
def sign_in_view(request, token):
    """The page the clerk's phone opens from the QR code: confirm (GET shows, POST signs in — never on GET)."""
    status, error, session, done = 200, None, None, None
    try:
        session = services.session_from_token(token)
        services.sign_in_check(token=token, clerk=request.user)
        if request.method == "POST":
            attendance, created = services.attendance_sign_in(token=token, clerk=request.user)
            done = {"attendance": attendance, "created": created}
    except ServiceError as exc:
        error, status = exc.message, exc.status
    return render(
        request,
        "training/sign_in.html",
        {"s": session, "error": error, "done": done, "token": token},
        status=status,
    )
