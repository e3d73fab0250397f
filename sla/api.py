"""SLA API: the clocks (with their event log) of one subject, the due-soon board, and pausing/resuming a clock.
Staff sessions only."""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from halls.api import error_responses
from lib.errors import ServiceError
from sla.models import Clock
from sla.selectors import clocks_board
from sla.services import clock_pause, clock_resume
from sla.web import BOARD_CAPABILITY, clock_for_action, require_board
from staff.web import api_staff_user
from tingwu.api_auth import STAFF_AUTH

router = Router()


ERRORS = error_responses(400, 403, 404, 422)
# Pause/resume: 400 not_pausable / reason_required, 409 not_running / not_paused / sla_conflict.
ACTION_ERRORS = error_responses(400, 403, 404, 409, 422)


class SlaEventOut(Schema):
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
    events: list[SlaEventOut] = []


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
        "state": clock.state(now),
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


class PauseIn(Schema):
    reason: str = Field(
        "",
        max_length=255,
        description="暂停原因，必填 / Why the clock waits (required), e.g. waiting on documents",
    )


def _fresh(clock: Clock) -> dict:
    clock = (
        Clock.objects.select_related("content_type", "standard_version")
        .prefetch_related("events__actor")
        .get(pk=clock.pk)
    )
    return _out(clock, timezone.now(), events=True)


@router.post(
    "/clocks/{clock_id}/pause",
    response={200: ClockOut, **ACTION_ERRORS},
    auth=STAFF_AUTH,
    summary="暂停计时（等待客户） / Pause a clock (waiting on the customer)",
)
def pause_clock(request, clock_id: int, payload: PauseIn):
    """BIZ-2.1: only a target whose policy allows it may pause (today the complex online solution, e.g. waiting on
    the customer's documents); promises to the customer never pause (400 ``not_pausable``). A reason is required
    (400 ``reason_required``); a clock that is not running is 409 ``not_running``. Needs ``consultation.handle`` or
    ``complaint.handle`` in the clock's hall (403); a clock of another hall is 404. Returns the clock with its log."""
    user = api_staff_user(request)
    clock = clock_for_action(user, clock_id)
    clock_pause(clock=clock, actor=user, reason=payload.reason)
    return _fresh(clock)


@router.post(
    "/clocks/{clock_id}/resume",
    response={200: ClockOut, **ACTION_ERRORS},
    auth=STAFF_AUTH,
    summary="恢复计时 / Resume a paused clock",
)
def resume_clock(request, clock_id: int):
    """The paused time (in the clock's calendar) moves the deadline and warn time out. A clock that is not paused
    is 409 ``not_paused``; rights as for pausing."""
    user = api_staff_user(request)
    clock = clock_for_action(user, clock_id)
    clock_resume(clock=clock, actor=user)
    return _fresh(clock)
