"""The case file's pages: service errors on a form, the recording hall, and the one reveal view (POST only)."""

from __future__ import annotations

from casework.forms import RevealForm
from halls.models import Hall
from lib.errors import ServiceError
from staff.access import require
from staff.web import client_ip, raise_access_error


def error_to_form(form, exc: ServiceError) -> None:
    """A service's refusal shown where the user acted: on its field when the form has it, else on the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def intake_hall(request, capability: str = "complaint.intake"):
    """The hall where the user records (complaints, consultations, visits): the one chosen among those where they
    hold ``capability``, else the first of them; ``(None, [])`` when there is none."""
    halls = list(Hall.objects.for_user(request.user, capability))
    chosen = request.POST.get("hall") or request.GET.get("hall")
    for h in halls:
        if str(h.pk) == str(chosen):
            return h, halls
    return (halls[0] if halls else None), halls


def reveal_post(request, case, *, choices, reveal, render_detail, capability: str | None = "pi.reveal"):
    """The POST of a case's reveal form (CMP-2.1, BIZ-2.1, BIZ-1.2): the full value once, in this response only
    (never in a URL, never cached), audited by the service ``reveal(case=…, actor=…, field=…, reason=…,
    ip_address=…)``. ``capability`` is checked before the form so a user without it gets 403 whatever they send
    (None where the service has its own rule, e.g. the clerk sent to a home visit).

    ``render_detail(form, revealed, status)`` renders the case's detail page with the reveal panel."""
    if capability:
        try:
            require(request.user, capability, case.hall)
        except ServiceError as exc:
            raise_access_error(exc)
    form = RevealForm(request.POST, choices=choices)
    revealed = None
    if form.is_valid():
        try:
            value = reveal(
                case=case,
                actor=request.user,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
            )
        except ServiceError as exc:
            raise_access_error(exc)
            error_to_form(form, exc)
        else:
            revealed = {"label": dict(choices)[form.cleaned_data["field"]], "value": value}
            form = None
    response = render_detail(form, revealed, 200 if revealed else 400)
    response["Cache-Control"] = "private, no-store"
    return response
