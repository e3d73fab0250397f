"""Home-visit pages (BIZ-1.2, BIZ-4): list, booking (greeter), detail with one form per step (supervisor/manager),
the result (the clerk who went), and the audited reveal of the address and phone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.forms import RevealForm
from casework.web import error_to_form, intake_hall, reveal_post
from halls.models import Hall
from lib.errors import ServiceError
from staff.access import user_can
from staff.web import raise_access_error
from visits import services
from visits.forms import AssignForm, AuthoriseForm, BookForm, CancelForm, ConfirmForm, ResultForm
from visits.models import HomeVisit, Status
from visits.selectors import visit_list, visits_for

STEP_FORMS = {
    "confirm": ConfirmForm,
    "authorise": AuthoriseForm,
    "assign": AssignForm,
    "result": ResultForm,
    "cancel": CancelForm,
}


def _get(user, pk) -> HomeVisit:
    return get_object_or_404(
        visits_for(user).select_related("hall", "clerk__staff_profile", "business_type"), pk=pk
    )


def _list(request, mine: bool):
    if not any(
        user_can(request.user, c) for c in ("visit.book", "visit.handle", "visit.perform", "report.view")
    ):
        raise PermissionDenied
    params = request.GET
    error, status = None, 200
    try:
        qs = visit_list(
            user=request.user, status=params.get("status", ""), hall_id=params.get("hall"), mine=mine
        )
    except ServiceError as exc:
        error, status, qs = exc.message, 400, HomeVisit.objects.none()
    page = Paginator(qs, 50).get_page(params.get("page"))
    return render(
        request,
        "visits/list.html",
        {
            "page": page,
            "error": error,
            "mine": mine,
            "statuses": Status.choices,
            "halls": Hall.objects.for_user(request.user),
            "params": params,
            "can_book": user_can(request.user, "visit.book"),
        },
        status=status,
    )


@login_required
@require_GET
def visit_list_view(request):
    return _list(request, mine=False)


@login_required
@require_GET
def visit_mine_view(request):
    return _list(request, mine=True)


@login_required
@require_http_methods(["GET", "POST"])
def visit_book_view(request):
    hall, halls = intake_hall(request, "visit.book")
    if hall is None:
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = BookForm(request.POST, hall=hall)
        if form.is_valid():
            d = form.cleaned_data
            try:
                visit = services.visit_book(hall=hall, actor=request.user, **d)
            except ServiceError as exc:
                raise_access_error(exc)
                error_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("已登记上门服务预约，编号 %(number)s，请与客户确认内容与时间。")
                    % {"number": visit.number},
                )
                return redirect("visits:detail", pk=visit.pk)
        status = 400
    else:
        form = BookForm(hall=hall)
    return render(request, "visits/book.html", {"form": form, "hall": hall, "halls": halls}, status=status)


def _detail(request, visit, *, bound=None, status=200, reveal_form=None, revealed=None):
    forms = {}
    for step, cls in STEP_FORMS.items():
        kwargs = {"hall": visit.hall} if cls is AssignForm else {}
        if cls is AuthoriseForm:  # most authorisations are taken just before they are recorded
            kwargs["initial"] = {"authorised_at": timezone.localtime().replace(second=0, microsecond=0)}
        forms[step] = bound if bound is not None and bound.prefix == step else cls(prefix=step, **kwargs)
    can_handle = user_can(request.user, "visit.handle", visit.hall)
    return render(
        request,
        "visits/detail.html",
        {
            "v": visit,
            "events": visit.events.all(),
            "forms": forms,
            "can_handle": can_handle,
            "can_result": visit.status == Status.ASSIGNED and services.can_record_result(request.user, visit),
            "can_reveal": user_can(request.user, "pi.reveal", visit.hall)
            or (visit.clerk_id == request.user.pk and visit.status == Status.ASSIGNED),
            "reveal_form": reveal_form or RevealForm(choices=services.REVEAL_CHOICES),
            "revealed": revealed,
            "Status": Status,
            "bound_errors": [e for errs in bound.errors.values() for e in errs] if bound is not None else [],
        },
        status=status,
    )


@login_required
@require_GET
def visit_detail_view(request, pk):
    return _detail(request, _get(request.user, pk))


def _run(step: str, visit, user, d: dict):
    if step == "confirm":
        return services.visit_confirm(visit=visit, actor=user, **d)
    if step == "authorise":
        return services.visit_authorise(visit=visit, actor=user, **d)
    if step == "assign":
        clerk = get_user_model().objects.filter(pk=d["clerk"]).first()
        return services.visit_assign(visit=visit, actor=user, clerk=clerk)
    if step == "result":
        return services.visit_record_result(visit=visit, actor=user, **d)
    return services.visit_cancel(visit=visit, actor=user, **d)


@login_required
@require_POST
def visit_step_view(request, pk, step):
    if step not in STEP_FORMS:
        raise Http404
    visit = _get(request.user, pk)
    cls = STEP_FORMS[step]
    kwargs = {"hall": visit.hall} if cls is AssignForm else {}
    form = cls(request.POST, prefix=step, **kwargs)
    if form.is_valid():
        try:
            _run(step, visit, request.user, form.cleaned_data)
        except ServiceError as exc:
            raise_access_error(exc)
            error_to_form(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("visits:detail", pk=pk)
    return _detail(request, visit, bound=form, status=400)


@login_required
@require_POST
def visit_reveal_view(request, pk):
    """The full address / phone once, audited: a holder of ``pi.reveal``, or the clerk sent to the visit."""
    visit = _get(request.user, pk)
    return reveal_post(
        request,
        visit,
        choices=services.REVEAL_CHOICES,
        reveal=lambda case, **kw: services.visit_reveal(visit=case, **kw),
        render_detail=lambda form, revealed, status: _detail(
            request, visit, reveal_form=form, revealed=revealed, status=status
        ),
        capability=None,
    )
