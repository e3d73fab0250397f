"""Shared bits of the sla pages and API: who may see the board, and one clock as display data."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from sla.escalation import subject_label
from sla.models import Clock
from sla.selectors import clock_state
from staff.access import require

# Who watches deadlines: duty supervisors, managers, inspectors, HQ and auditors.
BOARD_CAPABILITY = "sla.view"


def require_board(user, hall=None) -> None:
    """A hall the user cannot see is a 404 (no existence leak), a missing right a 403."""
    require(user, BOARD_CAPABILITY, hall)


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
        "state": clock_state(clock, now),
        "label": subject_label(clock),
        "url": url,
        "remaining": remaining_text(clock, now),
    }
