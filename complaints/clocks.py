"""The complaint and consultation side of the SLA engine and the notification outbox (sla, notify apps).

Everything time-limited goes through ``sla.services`` (one engine, one sweep, one escalation ladder); this module only
names the targets and turns clocks into the two deadlines a receipt promises. Both complaints and consultations use
it, so the mapping from the spec's clauses to SLA targets lives in one place.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone


class Target:
    """SLA target names (contract with the sla app)."""

    COMPLAINT_FIRST_CONTACT = "complaint_first_contact"  # CMP-2.1: 2 h
    COMPLAINT_GENERAL_SOLUTION = "complaint_general_solution"  # CMP-2.1: 24 h
    COMPLAINT_COMPLEX_PROGRESS = "complaint_complex_progress"  # CMP-2.1: 72 h, then periodic
    CONSULTATION_CALLBACK = "consultation_callback"  # BIZ-2.1: 24 h
    CONSULTATION_ONLINE_FIRST_RESPONSE = "consultation_online_first_response"  # BIZ-2.1: 1 h
    CONSULTATION_ONLINE_COMPLEX_SOLUTION = "consultation_online_complex_solution"  # BIZ-2.1: 48 h


# Standard parameters behind each target: used only to explain a deadline when no clock exists (e.g. a file
# anonymised long ago) — the clock's own deadline is always preferred.
TARGET_HOURS = {
    Target.COMPLAINT_FIRST_CONTACT: "complaint.first_contact_hours",
    Target.COMPLAINT_GENERAL_SOLUTION: "complaint.general_solution_hours",
    Target.COMPLAINT_COMPLEX_PROGRESS: "complaint.complex_progress_hours",
    Target.CONSULTATION_CALLBACK: "consultation.callback_hours",
    Target.CONSULTATION_ONLINE_FIRST_RESPONSE: "consultation.online_first_response_hours",
    Target.CONSULTATION_ONLINE_COMPLEX_SOLUTION: "consultation.online_complex_hours",
}


def start(*, subject, target: str, hall, started_at: datetime | None = None, actor=None):
    from sla import services as sla

    return sla.clock_start(subject=subject, target=target, hall=hall, started_at=started_at, actor=actor)


def meet(*, subject, target: str, at: datetime | None = None, actor=None, repeat: bool | None = None):
    """A periodic target (complex progress) starts its next cycle from ``at`` unless ``repeat=False``."""
    from sla import services as sla

    return sla.clock_meet(subject=subject, target=target, at=at, actor=actor, repeat=repeat)


def cancel(*, subject, target: str, actor=None, reason: str = ""):
    from sla import services as sla

    return sla.clock_cancel(subject=subject, target=target, actor=actor, reason=reason)


def restart(*, subject, target: str, hall, actor, reason: str, runs_from: datetime | None = None):
    from sla import services as sla

    return sla.clock_restart(
        subject=subject, target=target, actor=actor, reason=reason, hall=hall, runs_from=runs_from
    )


def cancel_open(*, subject, actor=None, reason: str = "") -> None:
    """Cancel every clock of the subject still waiting (running, paused or breached)."""
    from sla.models import OPEN_STATUSES

    for clock in clocks_for(subject):
        if clock.status in OPEN_STATUSES:
            cancel(subject=subject, target=clock.target, actor=actor, reason=reason)


def open_clock(subject, target: str):
    from sla.models import OPEN_STATUSES

    found = [c for c in clocks_for(subject) if c.target == target and c.status in OPEN_STATUSES]
    return found[0] if found else None


def clocks_for(subject) -> list:
    from sla import services as sla

    return list(sla.clocks_for(subject))


def clock_state(clock, now: datetime | None = None):
    return clock.state(now or timezone.now())


def latest(clocks, target: str):
    """The most recent clock of a target (periodic targets have one per period)."""
    found = [c for c in clocks if c.target == target]
    return max(found, key=lambda c: (c.cycle, c.pk)) if found else None


def fallback_deadline(*, target: str, started_at: datetime) -> datetime:
    from standard.services import standard_in_force

    return started_at + timedelta(hours=float(standard_in_force(at=started_at)[TARGET_HOURS[target]]))


def enqueue_notice(*, hall, recipient: str, template: str, context: dict, dedupe_key: str, subject=None):
    """Queue an SMS in the outbox (same transaction as the step that caused it: the outbox pattern)."""
    from notify import services as notify

    return notify.notification_enqueue(
        hall=hall,
        channel="sms",
        recipient=recipient,
        template=template,
        context=context,
        dedupe_key=dedupe_key,
        subject=subject,
    )
