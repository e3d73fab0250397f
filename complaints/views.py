"""Complaint pages: list, intake, detail with timeline and one form per workflow step, receipt, evidence, hot spots.

Every read goes through ``Complaint.objects.for_user``; every change is a POST that calls a service.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.forms import RevealForm
from casework.selectors import clocks_with_state, state_of
from casework.web import error_to_form, intake_hall, reveal_post
from complaints import forms as f
from complaints import services
from complaints.analysis import hotspots_workbook, monthly_hotspots
from complaints.models import Complaint, ComplaintEvidence, HotspotReport, Kind, Responsibility, Status
from complaints.pdf import receipt_pdf, result_letter_pdf
from complaints.receipt import complaint_receipt_data
from complaints.selectors import (
    HOTSPOT_READ,
    checked_id,
    complaint_list,
    complaints_for,
)
from halls.models import Hall
from lib.errors import ServiceError
from lib.masking import mask_pi_in_text
from staff.access import user_can
from staff.directory import people_who_can, role_labels_for
from staff.web import raise_access_error

READ_CAPABILITIES = ("complaint.intake", "complaint.handle", "report.view")


def _require_any(user, capabilities=READ_CAPABILITIES) -> None:
    if not any(user_can(user, c) for c in capabilities):
        raise PermissionDenied


def _get(user, pk) -> Complaint:
    return get_object_or_404(complaints_for(user).select_related("hall", "business_type"), pk=pk)


@login_required
@require_GET
def complaint_list_view(request):
    _require_any(request.user)
    now = timezone.now()
    params = request.GET
    try:
        qs = complaint_list(
            user=request.user,
            now=now,
            status=params.get("status", ""),
            state=params.get("state", ""),
            hall_id=params.get("hall") or None,
            business_type_id=params.get("business_type") or None,
            responsibility=params.get("responsibility", ""),
        )
    except ServiceError as exc:
        raise BadRequest(str(exc.message)) from None
    page = Paginator(qs, 50).get_page(params.get("page"))
    for row in page:
        row.clock_state = state_of(row)
    from catalog.models import BusinessType

    return render(
        request,
        "complaints/list.html",
        {
            "page": page,
            "statuses": Status.choices,
            "responsibilities": Responsibility.choices,
            "halls": Hall.objects.for_user(request.user),
            "business_types": BusinessType.objects.for_user(request.user).filter(is_active=True),
            "params": params,
            "can_intake": user_can(request.user, "complaint.intake"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def complaint_intake_view(request):
    hall, halls = intake_hall(request)
    if hall is None:
        raise PermissionDenied
    if request.method == "POST":
        form = f.IntakeForm(request.POST, request.FILES, hall=hall)
        if form.is_valid():
            d = form.cleaned_data
            try:
                complaint = services.complaint_intake(
                    hall=hall,
                    channel=d["channel"],
                    complainant_name=d["complainant_name"],
                    contact_phone=d["contact_phone"],
                    demand=d["demand"],
                    business_type=d["business_type"],
                    related_reference=d["related_reference"],
                    evidence_files=d["evidence"],
                    actor=request.user,
                )
            except ServiceError as exc:
                raise_access_error(exc)
                error_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("投诉已受理，编号 %(number)s。请打印受理回执交给客户。") % {"number": complaint.number},
                )
                return redirect("complaints:detail", pk=complaint.pk)
        status = 400
    else:
        form = f.IntakeForm(hall=hall)
        status = 200
    return render(
        request, "complaints/intake.html", {"form": form, "hall": hall, "halls": halls}, status=status
    )


STEPS = {
    "classify": f.ClassifyForm,
    "contact": f.ContactForm,
    "task_force": f.TaskForceForm,
    "progress": f.ProgressForm,
    "solve": f.SolveForm,
    "notify": f.NotifyForm,
    "close": f.CloseForm,
    "reopen": f.ReopenForm,
    "note": f.NoteForm,
    "evidence": f.EvidenceForm,
}


def _step_forms(complaint, bound: dict | None = None) -> dict:
    forms = {}
    for name, cls in STEPS.items():
        if bound and name in bound:
            forms[name] = bound[name]
            continue
        kwargs = {"hall": complaint.hall} if name == "task_force" else {}
        initial = {"kind": complaint.kind} if name == "classify" else None
        forms[name] = cls(initial=initial, **kwargs)
    return forms


def _detail_context(request, complaint, bound=None) -> dict:
    now = timezone.now()
    user = request.user
    can_reveal = user_can(user, "pi.reveal", complaint.hall)
    events = list(complaint.events.select_related("actor").all())
    notes = list(complaint.notes.select_related("author").all())
    if not can_reveal:
        # Free text a user typed may carry a customer's phone or ID number: masked like the fields themselves
        # for anyone without the reveal right (display only; the stored text is unchanged).
        for e in events:
            e.note = mask_pi_in_text(e.note or "")
        for n in notes:
            n.text = mask_pi_in_text(n.text or "")
    return {
        "complaint": complaint,
        "events": events,
        "clocks": clocks_with_state(complaint, now=now),
        "evidence": complaint.evidence.all(),
        "notes": notes,
        "members": complaint.task_force_members.all(),
        "forms": _step_forms(complaint, bound),
        "can_handle": user_can(user, "complaint.handle", complaint.hall),
        "can_close": user_can(user, "complaint.close", complaint.hall),
        # at 已告知客户 a supervisor who cannot close sees who does (issue 10 §2)
        "closers": people_who_can(hall=complaint.hall, capability="complaint.close"),
        "closer_roles": role_labels_for("complaint.close"),
        "can_intake": user_can(user, "complaint.intake", complaint.hall),
        "can_reveal": can_reveal,
        "reveal_form": (bound or {}).get("reveal") or RevealForm(choices=services.REVEAL_CHOICES),
        "Status": Status,
        "Kind": Kind,
    }


@login_required
@require_GET
def complaint_detail_view(request, pk):
    complaint = _get(request.user, pk)
    return render(request, "complaints/detail.html", _detail_context(request, complaint))


def _run_step(step: str, complaint, user, d: dict):
    if step == "classify":
        return services.complaint_classify(
            complaint=complaint, kind=d["kind"], actor=user, reason=d["reason"]
        )
    if step == "contact":
        return services.complaint_contact(complaint=complaint, actor=user, note=d["note"])
    if step == "task_force":
        return services.complaint_task_force(
            complaint=complaint, actor=user, leader=d["leader"], members=list(d["members"]), note=d["note"]
        )
    if step == "progress":
        return services.complaint_progress(
            complaint=complaint, actor=user, progress=d["progress"], by_sms=d["by_sms"]
        )
    if step == "solve":
        at_fault = d["company_at_fault"] == "yes"
        return services.complaint_solve(
            complaint=complaint,
            actor=user,
            cause=d["cause"],
            solution=d["solution"],
            compensation=d["compensation"],
            follow_up=d["follow_up"],
            responsibility=d["responsibility"],
            company_at_fault=at_fault,
            apologised=d["apologised"],
            policy_basis=d["policy_basis"],
            alternative=d["alternative"],
            notify_by=d["notify_by"],
        )
    if step == "notify":
        return services.complaint_notify(complaint=complaint, actor=user, method=d["method"])
    if step == "close":
        return services.complaint_close(
            complaint=complaint,
            actor=user,
            customer_response=d["customer_response"],
            note=d["note"],
            confirmed=d["confirmed"],
            next_step=d["next_step"],
        )
    if step == "reopen":
        return services.complaint_reopen(complaint=complaint, actor=user, reason=d["reason"])
    if step == "note":
        return services.complaint_annotate(complaint=complaint, actor=user, text=d["text"])
    if step == "evidence":
        return services.complaint_add_evidence(complaint=complaint, actor=user, files=d["evidence"])
    raise Http404


@login_required
@require_POST
def complaint_step_view(request, pk, step):
    if step not in STEPS:
        raise Http404
    complaint = _get(request.user, pk)
    kwargs = {"hall": complaint.hall} if step == "task_force" else {}
    form = STEPS[step](request.POST, request.FILES, **kwargs)
    if form.is_valid():
        try:
            _run_step(step, complaint, request.user, form.cleaned_data)
        except ServiceError as exc:
            raise_access_error(exc)
            error_to_form(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("complaints:detail", pk=complaint.pk)
    complaint.refresh_from_db()
    context = _detail_context(request, complaint, bound={step: form}) | {"failed_step": step}
    return render(request, "complaints/detail.html", context, status=400)


@login_required
@require_POST
def complaint_reveal_view(request, pk):
    """CMP-2.1 callback: the full phone / name once, for a holder of ``pi.reveal``, with a reason; audited.

    The value is in this one response (never in a URL, never cached); reloading the detail page shows it masked."""
    complaint = _get(request.user, pk)

    def render_detail(form, revealed, status):
        context = _detail_context(request, complaint, bound={"reveal": form}) | {"revealed": revealed}
        return render(request, "complaints/detail.html", context, status=status)

    return reveal_post(
        request,
        complaint,
        choices=services.REVEAL_CHOICES,
        reveal=lambda case, **kw: services.complaint_reveal(complaint=case, **kw),
        render_detail=render_detail,
    )


def _pdf_response(content: bytes, filename: str, inline: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def complaint_receipt_view(request, pk):
    complaint = _get(request.user, pk)
    return _pdf_response(
        receipt_pdf(complaint_receipt_data(complaint=complaint)), f"receipt-{complaint.number}.pdf"
    )


@login_required
@require_GET
def complaint_letter_view(request, pk):
    complaint = _get(request.user, pk)
    if complaint.solved_at is None:
        raise Http404
    return _pdf_response(result_letter_pdf(complaint), f"result-{complaint.number}.pdf")


@login_required
@require_GET
def evidence_view(request, pk, evidence_id):
    """Private evidence, only through this access-checked view (never a storage URL)."""
    complaint = _get(request.user, pk)
    evidence = get_object_or_404(
        ComplaintEvidence.objects.for_user(request.user), pk=evidence_id, complaint=complaint
    )
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    ext = evidence.file.name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'attachment; filename="{complaint.number}-{evidence.pk}.{ext}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _month(request) -> date:
    raw = request.GET.get("month", "")
    if not raw:
        return timezone.localdate().replace(day=1)
    try:
        year, month = (int(x) for x in raw.split("-", 1))
        return date(year, month, 1)
    except ValueError:
        raise BadRequest(_("月份格式应为 YYYY-MM")) from None


def _hotspot_data(request):
    month = _month(request)
    qs = complaints_for(request.user, HOTSPOT_READ)
    try:
        hall_id = checked_id(request.GET.get("hall"), "hall")
    except ServiceError as exc:
        raise BadRequest(str(exc.message)) from None
    if hall_id:
        qs = qs.filter(hall_id=hall_id)
    return monthly_hotspots(queryset=qs, month=month)


@login_required
@require_GET
def hotspots_view(request):
    _require_any(request.user, ("report.view", "complaint.handle"))
    data = _hotspot_data(request)
    chart = {
        "business_types": [[r["label"], r["count"], r["previous"]] for r in data["by_business_type"]],
        "responsibility": [[r["label"], r["count"]] for r in data["by_responsibility"]],
        "halls": [[r["label"], r["count"], r["previous"]] for r in data["by_hall"]],
        "keywords": [[k["word"], k["weight"]] for k in data["keywords"]],
        "labels": {"this_month": _("本月"), "last_month": _("上月")},
    }
    # CMP-3 / issue 10 §6: the monthly records the worker keeps on the 1st, for the halls this user may see.
    records = HotspotReport.objects.for_user(request.user).select_related("hall")
    hall_id = checked_id(request.GET.get("hall"), "hall")  # already validated by _hotspot_data
    if hall_id:
        records = records.filter(hall_id=hall_id)
    return render(
        request,
        "complaints/hotspots.html",
        {
            "data": data,
            "chart": chart,
            "halls": Hall.objects.for_user(request.user),
            "params": request.GET,
            "records": list(records[:36]),
        },
    )


@login_required
@require_GET
def hotspots_export_view(request):
    _require_any(request.user, ("report.view", "complaint.handle"))
    data = _hotspot_data(request)
    response = HttpResponse(
        hotspots_workbook(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="complaint-hotspots-{data["month"]:%Y-%m}.xlsx"'
    return response
