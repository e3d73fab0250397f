"""Pause / resume a clock from the case pages (BIZ-2.1: a complex online question may wait on the customer).

POST only; success redirects back to the page the form was on (or the case), an error re-renders the form with
the message next to the field and nothing changed. Shown by ``sla/_clock_actions.html``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lib.errors import Forbidden, NotFound, ServiceError
from sla.forms import ClockPauseForm
from sla.models import Clock
from sla.services import clock_pause, clock_resume
from sla.web import clock_for_action


def _back(request, clock: Clock, next_url: str | None) -> str:
    """Only a local address is followed (no open redirect); else the case page, else the board."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    subject = clock.subject
    if subject is not None and hasattr(subject, "get_absolute_url"):
        return subject.get_absolute_url()
    return reverse("sla:board")


def _failed(request, clock: Clock, *, pause_form=None, error=None, back: str, status: int):
    context = {"clock": clock, "pause_form": pause_form, "action_error": error, "next": back, "back": back}
    return render(request, "sla/clock_action.html", context, status=status)


@require_POST
@login_required
def pause(request, pk: int):
    clock = clock_for_action(request.user, pk)
    form = ClockPauseForm(request.POST)
    back = _back(request, clock, request.POST.get("next"))
    valid = form.is_valid()
    # A target that may not pause says so, whatever was typed; otherwise a missing reason is a field error.
    if not valid and clock.is_pausable:
        return _failed(request, clock, pause_form=form, back=back, status=400)
    try:
        clock_pause(clock=clock, actor=request.user, reason=form.cleaned_data.get("reason", ""))
    except (NotFound, Forbidden):
        raise
    except ServiceError as exc:
        error = None
        if exc.field in form.fields:
            form.add_error(exc.field, str(exc.message))
        else:
            error = exc.message
        return _failed(request, clock, pause_form=form, error=error, back=back, status=exc.status)
    messages.success(request, _("已暂停计时：%(target)s") % {"target": clock.get_target_display()})
    return redirect(back)


@require_POST
@login_required
def resume(request, pk: int):
    clock = clock_for_action(request.user, pk)
    back = _back(request, clock, request.POST.get("next"))
    try:
        clock = clock_resume(clock=clock, actor=request.user)
    except (NotFound, Forbidden):
        raise
    except ServiceError as exc:
        return _failed(request, clock, error=exc.message, back=back, status=exc.status)
    messages.success(
        request,
        _("已恢复计时，新的截止时间：%(deadline)s")
        % {"deadline": timezone.localtime(clock.deadline).strftime("%m-%d %H:%M")},
    )
    return redirect(back)
