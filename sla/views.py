"""The "due soon" board for supervisors (CMP-2.1, BIZ-2.1): open clocks of the user's halls that are overdue or
due within N hours, most urgent first; refreshed by htmx every minute."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import Hall
from sla.models import ClockState
from sla.selectors import clocks_board
from sla.web import BOARD_CAPABILITY, clock_row, require_board

DEFAULT_WITHIN_HOURS = 4


class BoardFilter(forms.Form):
    hall = forms.ModelChoiceField(
        queryset=Hall.objects.none(), required=False, label=_("营业厅"), empty_label=_("全部")
    )
    within = forms.IntegerField(
        min_value=1, max_value=168, required=False, label=_("到期范围（小时）"), initial=DEFAULT_WITHIN_HOURS
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = Hall.objects.for_user(user, BOARD_CAPABILITY).order_by("code")


@login_required
def board(request):
    require_board(request.user)
    form = BoardFilter(request.GET or None, user=request.user)
    hall, within = None, DEFAULT_WITHIN_HOURS
    if form.is_bound and form.is_valid():
        hall = form.cleaned_data["hall"]
        within = form.cleaned_data["within"] or DEFAULT_WITHIN_HOURS
    if hall is not None:
        require_board(request.user, hall)
    now = timezone.now()
    clocks = clocks_board(request.user, now=now, within_hours=within, hall_id=hall.pk if hall else None)
    rows = [clock_row(c, now) for c in clocks.prefetch_related("subject")[:500]]
    context = {
        "form": form,
        "rows": rows,
        "now": now,
        "within": within,
        "overdue": sum(1 for r in rows if r["state"] == ClockState.OVERDUE),
    }
    template = "sla/_board_table.html" if request.htmx else "sla/board.html"
    return render(request, template, context)
