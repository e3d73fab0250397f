"""SLA API: the clocks (with their event log) of one subject, and the due-soon board. Staff sessions only."""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema

from halls.api import error_responses
from lib.errors import ServiceError
from sla.models import Clock
from sla.selectors import clock_state, clocks_board
from sla.web import BOARD_CAPABILITY, require_board
from staff.web import api_staff_user
from tingwu.api import STAFF_AUTH

router = Router()


ERRORS = error_responses(400, 403, 404, 422)


class EventOut(Schema):
    kind: str
    level: int
    at: datetime
    actor: str | None
    reason: str


class ClockOut(Schema):
    id: int
    hall_id: int
    subject_type: str
    subject_id: int
    target: str
    target_label: str
    cycle: int
    status: str
    state: str
    calendar: str
    standard_version: int
    started_at: datetime
    deadline: datetime
    warn_at: datetime
    breached_at: datetime | None
    met_at: datetime | None
    cancelled_at: datetime | None
    paused_seconds: int
    escalation_level: int
    events: list[EventOut] = []


def _out(clock: Clock, now: datetime, *, events: bool) -> dict:
    return {
        "id": clock.pk,
        "hall_id": clock.hall_id,
        "subject_type": f"{clock.content_type.app_label}.{clock.content_type.model}",
        "subject_id": clock.object_id,
        "target": clock.target,
        "target_label": str(clock.get_target_display()),
        "cycle": clock.cycle,
        "status": clock.status,
        "state": clock_state(clock, now),
        "calendar": clock.calendar,
        "standard_version": clock.standard_version.number,
        "started_at": clock.started_at,
        "deadline": clock.deadline,
        "warn_at": clock.warn_at,
        "breached_at": clock.breached_at,
        "met_at": clock.met_at,
        "cancelled_at": clock.cancelled_at,
        "paused_seconds": clock.paused_seconds,
        "escalation_level": clock.escalation_level,
        "events": [
            {
                "kind": e.kind,
                "level": e.level,
                "at": e.at,
                "actor": e.actor.get_username() if e.actor else None,
                "reason": e.reason,
            }
            for e in clock.events.all()
        ]
        if events
        else [],
    }


@router.get(
    "/clocks",
    response={200: list[ClockOut], **ERRORS},
    auth=STAFF_AUTH,
    summary="某对象的全部时限及事件记录 / Clocks of one subject with their event log",
)
def list_clocks(
    request,
    subject_type: str = Query(..., description="app_label.model, e.g. complaints.complaint"),
    subject_id: int = Query(..., ge=1),
):
    """Every clock (all targets and cycles) of one subject with its event log; other halls' clocks are invisible."""
    user = api_staff_user(request)
    require_board(user)
    app_label, _sep, model = subject_type.lower().partition(".")
    try:
        ct = ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        raise ServiceError("invalid_subject_type", _("未知的对象类型"), field="subject_type") from None
    clocks = (
        Clock.objects.for_user(user, BOARD_CAPABILITY)
        .filter(content_type=ct, object_id=subject_id)
        .select_related("content_type", "standard_version")
        .prefetch_related("events__actor")
        .order_by("started_at", "pk")
    )
    now = timezone.now()
    return [_out(c, now, events=True) for c in clocks]


@router.get(
    "/board",
    response={200: list[ClockOut], **ERRORS},
    auth=STAFF_AUTH,
    summary="即将到期与已超时的时限 / Overdue and due-soon clocks",
)
def board(request, within_hours: float = Query(4, gt=0, le=168), hall_id: int | None = None):
    """Open clocks that are overdue or due within ``within_hours``, most urgent first (at most 500)."""
    user = api_staff_user(request)
    require_board(user, hall_id)
    now = timezone.now()
    clocks = clocks_board(user, now=now, within_hours=within_hours, hall_id=hall_id).select_related(
        "standard_version"
    )[:500]
    return [_out(c, now, events=False) for c in clocks]
