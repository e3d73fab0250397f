"""The greeter's tablet page (BIZ-4, ``queue.greet``): waiting list with waits, flags, issue a ticket, self-service."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import BusinessType
from floor import services as floor_services
from halls.models import Hall
from lib.errors import ServiceError
from staff.access import require

PRIORITY_CHOICES = [
    ("", _("无")),
    ("elderly", _("老年人")),
    ("disabled", _("残障人士")),
    ("pregnant", _("孕妇")),
]


class IssueForm(forms.Form):
    business_type = forms.ModelChoiceField(
        label=_("业务"), queryset=BusinessType.objects.none(), empty_label=_("请选择业务")
    )
    priority_kind = forms.ChoiceField(label=_("优先类别"), choices=PRIORITY_CHOICES, required=False)
    needs_accompaniment = forms.BooleanField(label=_("需全程陪同"), required=False)
    needs_form_help = forms.BooleanField(label=_("需协助填单"), required=False)
    needs_low_counter = forms.BooleanField(label=_("使用轮椅（低位窗口）"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, hall, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_type"].queryset = BusinessType.objects.for_hall(hall)
        self.fields["business_type"].error_messages["invalid_choice"] = _("本厅未开办该业务")


class ReferForm(forms.Form):
    business_type = forms.ModelChoiceField(
        label=_("业务（可选）"), queryset=BusinessType.objects.none(), required=False, empty_label=_("不指定")
    )
    ticket_number = forms.CharField(label=_("票号（可选）"), max_length=8, required=False)

    def __init__(self, *args, hall, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_type"].queryset = BusinessType.objects.for_hall(hall)
        self.fields["business_type"].error_messages["invalid_choice"] = _("本厅未开办该业务")


def _hall(request, hall_id: int) -> Hall:
    hall = get_object_or_404(Hall.objects.for_user(request.user), pk=hall_id)
    require(request.user, "queue.greet", hall)
    return hall


def _rows(hall):
    from queueing.selectors import waiting_list
    from queueing.standard_memo import standard_at

    now = timezone.now()
    window = int(standard_at(now)["queue.reactivate_minutes"])
    rows = []
    for t in waiting_list(hall=hall, now=now):
        row = {"ticket": t, "wait_minutes": max(0, int((now - t.arrival_at).total_seconds() // 60))}
        if t.status == "no_show" and t.no_show_at:
            # BIZ-4: the missed-number window of the standard in force; the service checks it again on reactivation.
            left = window * 60 - (now - t.no_show_at).total_seconds()
            row["reactivate_minutes_left"] = max(0, int(-(-left // 60))) if left > 0 else 0
        rows.append(row)
    return rows


def _context(request, hall, issue_form=None, refer_form=None) -> dict:
    return {
        "hall": hall,
        "rows": _rows(hall),
        "issue_form": issue_form or IssueForm(hall=hall, initial={"idempotency_key": uuid.uuid4().hex}),
        "refer_form": refer_form or ReferForm(hall=hall),
        "priority_choices": PRIORITY_CHOICES[1:],
    }


@login_required
@require_GET
def greeter_home(request):
    """One tap from the greeter's home card: straight to the tablet page of their hall (a list if several)."""
    from staff.access import user_can

    halls = [
        h
        for h in Hall.objects.for_user(request.user).order_by("code")
        if user_can(request.user, "queue.greet", h)
    ]
    if not halls:
        require(request.user, "queue.greet")  # 403 with the standard message
    if len(halls) == 1:
        return redirect("floor:greeter", hall_id=halls[0].pk)
    return render(request, "floor/greeter_home.html", {"halls": halls})


@login_required
@require_GET
def greeter(request, hall_id: int):
    hall = _hall(request, hall_id)
    return render(request, "floor/greeter.html", _context(request, hall))


@login_required
@require_GET
def greeter_list(request, hall_id: int):
    hall = _hall(request, hall_id)
    return render(request, "floor/_greeter_list.html", _context(request, hall))


@login_required
@require_http_methods(["POST"])
def greeter_issue(request, hall_id: int):
    from queueing.services import ticket_issue

    hall = _hall(request, hall_id)
    form = IssueForm(request.POST, hall=hall)
    if form.is_valid():
        try:
            ticket = ticket_issue(
                hall=hall,
                business_type=form.cleaned_data["business_type"],
                priority_kind=form.cleaned_data["priority_kind"] or "",
                needs_accompaniment=form.cleaned_data["needs_accompaniment"],
                needs_form_help=form.cleaned_data["needs_form_help"],
                needs_low_counter=form.cleaned_data["needs_low_counter"],
                idempotency_key=form.cleaned_data["idempotency_key"] or None,
                source="greeter",
                actor=request.user,
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("已取号：%(number)s") % {"number": ticket.number})
            return redirect("floor:greeter", hall_id=hall.pk)
    return render(request, "floor/greeter.html", _context(request, hall, issue_form=form), status=400)


def _wanted(request, default: bool) -> bool:
    value = request.POST.get("value")
    return default if value not in ("on", "off") else value == "on"


@login_required
@require_POST
def greeter_flag(request, hall_id: int, ticket_id: int):
    """Mark priority / accompaniment / form help (BIZ-4) through queueing's ``ticket_flag``."""
    from queueing.models import Ticket
    from queueing.services import ticket_flag

    hall = _hall(request, hall_id)
    ticket = get_object_or_404(Ticket.objects.for_user(request.user), pk=ticket_id, hall=hall)
    flag = request.POST.get("flag")
    kwargs: dict = {}
    if flag == "priority":
        kwargs["priority_kind"] = request.POST.get("priority_kind", "")
    # The button sends the state the greeter saw it change to ("on"/"off"), so two greeters pressing at once both
    # get what they asked for instead of toggling each other back. Without a value: toggle (old pages).
    elif flag == "accompaniment":
        kwargs["needs_accompaniment"] = _wanted(request, not ticket.needs_accompaniment)
    elif flag == "form_help":
        kwargs["needs_form_help"] = _wanted(request, not ticket.needs_form_help)
    elif flag == "low_counter":
        kwargs["needs_low_counter"] = _wanted(request, not ticket.needs_low_counter)
    error = None
    try:
        if not kwargs:
            raise ServiceError("invalid_flag", _("标记类型不正确"), field="flag")
        ticket_flag(ticket=ticket, actor=request.user, **kwargs)
    except ServiceError as exc:
        error = exc
    if request.htmx:  # the refreshed list shows the new flags; an error is shown above it
        ctx = _context(request, hall) | {"flag_error": error.message if error else None}
        return render(request, "floor/_greeter_list.html", ctx, status=error.status if error else 200)
    if error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("%(number)s 已更新标记") % {"number": ticket.number})
    return redirect("floor:greeter", hall_id=hall.pk)


@login_required
@require_POST
def greeter_refer(request, hall_id: int):
    hall = _hall(request, hall_id)
    form = ReferForm(request.POST, hall=hall)
    if form.is_valid():
        try:
            floor_services.selfservice_refer(user=request.user, hall=hall, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("已记录：引导客户至自助服务区"))
            return redirect("floor:greeter", hall_id=hall.pk)
    return render(request, "floor/greeter.html", _context(request, hall, refer_form=form), status=400)


@login_required
@require_POST
def greeter_reactivate(request, hall_id: int, ticket_id: int):
    """「过号请到引导台重新激活」： put a no-show back in the queue at its arrival time (queueing's ``ticket_reactivate``
    checks the status and the standard's window)."""
    from queueing.models import Ticket
    from queueing.services import ticket_reactivate

    hall = _hall(request, hall_id)
    ticket = get_object_or_404(Ticket.objects.for_user(request.user), pk=ticket_id, hall=hall)
    error = None
    try:
        ticket_reactivate(ticket=ticket, actor=request.user)
    except ServiceError as exc:
        error = exc
    done = None if error else _("%(number)s 已重新激活，按原取号时间排队") % {"number": ticket.number}
    if request.htmx:
        ctx = _context(request, hall) | {"flag_error": error.message if error else None, "flag_done": done}
        return render(request, "floor/_greeter_list.html", ctx, status=error.status if error else 200)
    if error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, done)
    return redirect("floor:greeter", hall_id=hall.pk)
