"""Shared bits of the sla pages and API: who may see the board, and one clock as display data."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lib.errors import Forbidden, NotFound
from sla.escalation import subject_label
from sla.models import Clock
from staff.access import require, user_can

# Who watches deadlines: duty supervisors, managers, inspectors, HQ and auditors.
BOARD_CAPABILITY = "sla.view"


def require_board(user, hall=None) -> None:
    """A hall the user cannot see is a 404 (no existence leak), a missing right a 403."""
    require(user, BOARD_CAPABILITY, hall)


# Who may pause or resume a clock: the people who handle the cases that carry clocks.
ACTION_CAPABILITIES = ("consultation.handle", "complaint.handle")


def require_clock_action(user, hall) -> None:
    """Either handling right in the clock's hall; another hall is a 404, a missing right a 403."""
    try:
        require(user, ACTION_CAPABILITIES[0], hall)
    except Forbidden:
        require(user, ACTION_CAPABILITIES[1], hall)


def may_act_on(user, clock: Clock) -> bool:
    return any(user_can(user, cap, clock.hall_id) for cap in ACTION_CAPABILITIES)


def clock_for_action(user, clock_id: int) -> Clock:
    """The clock to pause/resume: invisible (another hall, or none) is a 404, no handling right a 403."""
    clock = Clock.objects.for_user(user).select_related("hall", "content_type").filter(pk=clock_id).first()
    if clock is None:
        raise NotFound("not_found", gettext_lazy("记录不存在或无权查看"))
    require_clock_action(user, clock.hall)
    return clock


def remaining_text(clock: Clock, now: datetime) -> str:
    seconds = int((clock.deadline - now).total_seconds())
    hours, minutes = divmod(abs(seconds) // 60, 60)
    if seconds >= 0:
        return _("剩余%(h)d小时%(m)d分") % {"h": hours, "m": minutes}
    return _("已超时%(h)d小时%(m)d分") % {"h": hours, "m": minutes}


def clock_row(clock: Clock, now: datetime) -> dict:
    subject = clock.subject
    url = subject.get_absolute_url() if subject is not None and hasattr(subject, "get_absolute_url") else ""
    return {
        "clock": clock,
        "state": clock.state(now),
        "label": subject_label(clock),
        "url": url,
        "remaining": remaining_text(clock, now),
    }
