"""The complaint side of the SLA engine and the notification outbox (sla, notify apps).

Everything time-limited goes through ``sla.services`` (one engine, one sweep, one escalation ladder); the targets
and the parameters behind them are sla's (``sla.models.Target``, ``sla.policy.POLICIES``). This module only turns a
complaint's clocks into the two deadlines a receipt promises.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone


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
    """Used only to explain a deadline when no clock exists (e.g. a file anonymised long ago) — the clock's own
    deadline is always preferred. The target's hours parameter is sla's (``sla.policy.POLICIES``)."""
    from sla.policy import POLICIES
    from standard.services import standard_in_force

    hours = standard_in_force(at=started_at)[POLICIES[target].hours_param]
    return started_at + timedelta(hours=float(hours))


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
