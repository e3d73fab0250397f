"""Consultation pages (BIZ-2.1): list by urgency, record an on-site question, answer / respond."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.forms import RevealForm
from casework.selectors import clocks_with_state, state_of
from casework.web import error_to_form, intake_hall, reveal_post
from consultations import services
from consultations.forms import AnswerForm, RecordForm, RespondForm
from consultations.models import Channel, Consultation, Status
from consultations.selectors import consultation_list, consultations_for
from halls.models import Hall
from lib.errors import ServiceError
from staff.access import user_can
from staff.directory import people_who_can, role_labels_for
from staff.web import raise_access_error


def _get(user, pk) -> Consultation:
    return get_object_or_404(consultations_for(user).select_related("hall", "business_type"), pk=pk)


@login_required
@require_GET
def consultation_list_view(request):
    if not (user_can(request.user, "consultation.intake") or user_can(request.user, "consultation.handle")):
        if not user_can(request.user, "report.view"):
            raise PermissionDenied
    params = request.GET
    try:
        qs = consultation_list(
            user=request.user,
            now=timezone.now(),
            status=params.get("status", ""),
            state=params.get("state", ""),
            hall_id=params.get("hall") or None,
        ).select_related("business_type")
    except ServiceError as exc:
        raise BadRequest(str(exc.message)) from None
    page = Paginator(qs, 50).get_page(params.get("page"))
    for row in page:
        row.clock_state = state_of(row)
    return render(
        request,
        "consultations/list.html",
        {
            "page": page,
            "statuses": Status.choices,
            "halls": Hall.objects.for_user(request.user),
            "params": params,
            "can_intake": user_can(request.user, "consultation.intake"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_record_view(request):
    hall, halls = intake_hall(request, "consultation.intake")
    if hall is None:
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = RecordForm(request.POST, hall=hall)
        if form.is_valid():
            d = form.cleaned_data
            try:
                consultation = services.consultation_record(
                    hall=hall,
                    channel=Channel.ONSITE,
                    customer_name=d["customer_name"],
                    contact_phone=d["contact_phone"],
                    question=d["question"],
                    business_type=d["business_type"],
                    actor=request.user,
                )
            except ServiceError as exc:
                raise_access_error(exc)
                error_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("咨询已登记，编号 %(number)s，请在24小时内回复客户。")
                    % {"number": consultation.number},
                )
                return redirect("consultations:detail", pk=consultation.pk)
        status = 400
    else:
        form = RecordForm(hall=hall)
    return render(
        request, "consultations/record.html", {"form": form, "hall": hall, "halls": halls}, status=status
    )


def _detail(
    request, consultation, answer_form=None, respond_form=None, status=200, reveal_form=None, revealed=None
):
    return render(
        request,
        "consultations/detail.html",
        {
            "can_reveal": user_can(request.user, "pi.reveal", consultation.hall),
            "reveal_form": reveal_form or RevealForm(choices=services.REVEAL_CHOICES),
            "revealed": revealed,
            "c": consultation,
            "events": consultation.events.all(),
            "clocks": clocks_with_state(consultation, now=timezone.now()),
            "answer_form": answer_form or AnswerForm(),
            "respond_form": respond_form or RespondForm(),
            "can_handle": user_can(request.user, "consultation.handle", consultation.hall),
            # a clerk or greeter who cannot answer sees who does (issue 10 §2)
            "answerers": people_who_can(hall=consultation.hall, capability="consultation.handle"),
            "answerer_roles": role_labels_for("consultation.handle"),
            "Status": Status,
        },
        status=status,
    )


@login_required
@require_GET
def consultation_detail_view(request, pk):
    return _detail(request, _get(request.user, pk))


@login_required
@require_POST
def consultation_answer_view(request, pk):
    consultation = _get(request.user, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_answer(
                consultation=consultation,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                method=form.cleaned_data["method"],
            )
        except ServiceError as exc:
            raise_access_error(exc)
            error_to_form(form, exc)
        else:
            messages.success(request, _("已答复并结案"))
            return redirect("consultations:detail", pk=pk)
    return _detail(request, consultation, answer_form=form, status=400)


@login_required
@require_POST
def consultation_respond_view(request, pk):
    consultation = _get(request.user, pk)
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_respond(
                consultation=consultation,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                complex_=form.cleaned_data["complex_"],
            )
        except ServiceError as exc:
            raise_access_error(exc)
            error_to_form(form, exc)
        else:
            messages.success(request, _("已回复"))
            return redirect("consultations:detail", pk=pk)
    return _detail(request, consultation, respond_form=form, status=400)


@login_required
@require_POST
def consultation_reveal_view(request, pk):
    """BIZ-2.1 callback: the full phone / name once, for a holder of ``pi.reveal``, with a reason; audited."""
    consultation = _get(request.user, pk)
    return reveal_post(
        request,
        consultation,
        choices=services.REVEAL_CHOICES,
        reveal=lambda case, **kw: services.consultation_reveal(consultation=case, **kw),
        render_detail=lambda form, revealed, status: _detail(
            request, consultation, reveal_form=form, revealed=revealed, status=status
        ),
        capability="pi.reveal",
    )
