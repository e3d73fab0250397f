"""Read side: the hall's 环境与设施 board, availability / MTTR per month, environment compliance (ENV-4 and the
maintenance checks: done on time ÷ due, and "nothing due" is never 100 %)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from facilities.models import (
    ACTIVE_FAULT_STATUSES,
    CONFIRMED_FAULT_STATUSES,
    SELF_SERVICE_KINDS,
    CleaningRound,
    CleaningSheet,
    Facility,
    FacilityStatus,
    Fault,
    FaultStatus,
    Occurrence,
    OccurrenceStatus,
    RoundStatus,
)
from facilities.services._common import SHANGHAI, day_bounds, local_day


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=SHANGHAI)
    days = calendar.monthrange(year, month)[1]
    return start, start + timedelta(days=days)


def availability(*, hall, year: int, month: int, now: datetime | None = None) -> list[dict]:
    """Per facility: downtime (confirmed → resolved, clipped to the month and to now), availability % over the
    month's calendar time that has passed (None before the month starts), and mean time to repair of the faults resolved in that month (None when none was)."""
    now = now or timezone.now()
    start, end = month_bounds(year, month)
    end_eff = min(end, max(now, start))
    span = (end_eff - start).total_seconds()  # a month in progress: the part that has passed
    faults = Fault.objects.filter(hall=hall, confirmed_at__isnull=False, confirmed_at__lt=end).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gt=start)
    )
    down: dict[int, float] = {}
    repairs: dict[int, list[float]] = {}
    for f in faults.only("facility_id", "confirmed_at", "resolved_at"):
        a = max(f.confirmed_at, start)
        b = min(f.resolved_at or end_eff, end_eff)
        if b > a:
            down[f.facility_id] = down.get(f.facility_id, 0.0) + (b - a).total_seconds()
        if f.resolved_at and start <= f.resolved_at < end:
            repairs.setdefault(f.facility_id, []).append((f.resolved_at - f.confirmed_at).total_seconds())
    rows = []
    for facility in Facility.objects.filter(hall=hall).exclude(status=FacilityStatus.RETIRED):
        secs = down.get(facility.pk, 0.0)
        times = repairs.get(facility.pk)
        rows.append(
            {
                "facility": facility,
                "downtime_seconds": int(secs),
                "availability": (1 - secs / span) if span > 0 else None,
                "availability_pct": round(100 * (1 - secs / span), 2) if span > 0 else None,
                "mttr_seconds": sum(times) / len(times) if times else None,
                "repairs": len(times or []),
            }
        )
    return rows


def _due_filter(qs, end_field: str, done_field: str, now: datetime):
    """Due = its window has ended (or it was done already): a future window is not yet owed."""
    return qs.filter(Q(**{f"{end_field}__lte": now}) | Q(**{f"{done_field}__isnull": False}))


def compliance_items(*, hall_ids, day_from: date, day_to: date, now: datetime | None = None):
    """Yield (kind, day, hall_id, on_time: bool, record) for every round and check that was due in the range."""
    now = now or timezone.now()
    start, _ = day_bounds(day_from)
    _, end = day_bounds(day_to)
    rounds = CleaningRound.objects.filter(day__gte=day_from, day__lte=day_to)
    occs = Occurrence.objects.filter(window_end__gte=start, window_end__lt=end).select_related(
        "plan", "facility"
    )
    if hall_ids is not None:
        rounds, occs = rounds.filter(hall_id__in=hall_ids), occs.filter(hall_id__in=hall_ids)
    for r in _due_filter(rounds, "window_end", "done_at", now):
        yield "cleaning", r.day, r.hall_id, bool(r.on_time), r
    for o in _due_filter(occs, "window_end", "completed_at", now):
        yield "maintenance", local_day(o.window_end), o.hall_id, bool(o.on_time), o


def compliance(*, hall, day_from: date, day_to: date, now: datetime | None = None) -> dict:
    """{"due", "on_time", "ratio" (None = nothing due, never 100 %), "by_kind": {kind: {...}}}."""
    totals = {"cleaning": [0, 0], "maintenance": [0, 0]}
    for kind, _day, _hall, on_time, _rec in compliance_items(
        hall_ids=[hall.pk], day_from=day_from, day_to=day_to, now=now
    ):
        totals[kind][0] += int(on_time)
        totals[kind][1] += 1

    def figure(num, den):
        return {"on_time": num, "due": den, "ratio": (num / den) if den else None}

    num = sum(v[0] for v in totals.values())
    den = sum(v[1] for v in totals.values())
    return figure(num, den) | {"by_kind": {k: figure(*v) for k, v in totals.items()}}


def board(*, hall, now: datetime | None = None) -> dict:
    """What the 环境与设施 page shows: due now, overdue, open faults, notices up, guides assigned, today's rounds."""
    now = now or timezone.now()
    today = local_day(now)
    open_occ = Occurrence.objects.filter(
        hall=hall, status=OccurrenceStatus.OPEN, window_start__lte=now
    ).select_related("plan", "facility")
    faults = list(
        Fault.objects.filter(hall=hall, status__in=ACTIVE_FAULT_STATUSES).select_related(
            "facility", "guide__staff_profile", "announcement"
        )
    )
    return {
        "now": now,
        "today": today,
        "due_now": list(open_occ.filter(window_end__gt=now).order_by("window_end")),
        "overdue": list(open_occ.filter(window_end__lte=now).order_by("window_end")),
        "faults": faults,
        "suspected": [f for f in faults if f.status == FaultStatus.SUSPECTED],
        "notices": [f for f in faults if f.announcement_id and f.announcement.withdrawn_at is None],
        "guides": [f for f in faults if f.guide_active and f.status in CONFIRMED_FAULT_STATUSES],
        "rounds": list(
            CleaningRound.objects.filter(hall=hall, day=today).select_related("done_by__staff_profile")
        ),
        "sheet": CleaningSheet.objects.filter(hall=hall, day=today).select_related("signed_by").first(),
        "compliance_today": compliance(hall=hall, day_from=today, day_to=today, now=now),
        "compliance_month": compliance(hall=hall, day_from=today.replace(day=1), day_to=today, now=now),
        "round_statuses": RoundStatus,
    }


def guide_tasks_for(user):
    """The guide's open tasks (the greeter tablet shows them until released)."""
    return Fault.objects.filter(
        guide=user, guide_released_at__isnull=True, status__in=CONFIRMED_FAULT_STATUSES
    ).select_related("facility", "hall")


def self_service_down(*, hall) -> list[Fault]:
    """ENV-2.2: self-service terminals and queue kiosks with a confirmed fault — the greeter sends no one there
    until it is resolved (a merely suspected one still works as far as anyone has seen)."""
    return list(
        Fault.objects.filter(
            hall=hall, status__in=CONFIRMED_FAULT_STATUSES, facility__kind__in=SELF_SERVICE_KINDS
        )
        .select_related("facility__zone")
        .order_by("confirmed_at", "pk")
    )


def board_summary(*, hall, now: datetime | None = None) -> dict:
    """The supervisor board's compact panel: the same sets as ``board`` （the 环境与设施 page）， counted."""
    now = now or timezone.now()
    open_occ = Occurrence.objects.filter(hall=hall, status=OccurrenceStatus.OPEN, window_start__lte=now)
    faults = Fault.objects.filter(hall=hall, status__in=ACTIVE_FAULT_STATUSES)
    confirmed = faults.filter(status__in=CONFIRMED_FAULT_STATUSES)
    rounds = CleaningRound.objects.filter(hall=hall, day=local_day(now))
    return {
        "due_now": open_occ.filter(window_end__gt=now).count(),
        "overdue": open_occ.filter(window_end__lte=now).count(),
        "faults": confirmed.count(),
        "suspected": faults.filter(status=FaultStatus.SUSPECTED).count(),
        "notices": confirmed.filter(
            announcement__withdrawn_at__isnull=True, announcement__isnull=False
        ).count(),
        "guides": confirmed.filter(guide__isnull=False, guide_released_at__isnull=True).count(),
        "rounds_done": rounds.filter(status=RoundStatus.DONE).count(),
        "rounds_missed": rounds.filter(status=RoundStatus.MISSED).count(),
        "rounds_total": rounds.count(),
        "self_service_down": len(self_service_down(hall=hall)),
    }
