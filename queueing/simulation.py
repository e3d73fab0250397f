"""A simulated hall day (issue 3 §9): arrivals on a realistic hourly curve and a clerk mix, through the real services.

Used by ``manage.py simulate`` (fast: simulated clock, a day in seconds; ``--live``: real time, to watch the display,
console and board after ``make run``) and by the estimated-wait MAE measurement (docs/queueing.md).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from catalog.models import BusinessCategory, BusinessType
from halls.models import Counter, CounterStatus
from queueing import clock, services
from queueing.models import Ticket, TicketStatus
from staff.models import HallAssignment, HallRole

# Arrivals per hour for a mid-size hall (customers/hour), by local hour: a late-morning peak and an afternoon peak.
HOURLY_CURVE = {9: 14, 10: 26, 11: 24, 12: 12, 13: 14, 14: 22, 15: 24, 16: 20, 17: 12, 18: 6, 19: 4, 20: 2}
# Mean handling minutes per category (log-normal spread) and the shares of the customer mix.
HANDLING_MEAN = {
    BusinessCategory.CONSULTATION: 4.0,
    BusinessCategory.BASIC: 7.0,
    BusinessCategory.COMPLEX: 18.0,
}
CATEGORY_SHARE = {
    BusinessCategory.CONSULTATION: 0.35,
    BusinessCategory.BASIC: 0.5,
    BusinessCategory.COMPLEX: 0.15,
}
PRIORITY_SHARE = 0.10
NO_SHOW_SHARE = 0.04
CLERK_SPEED = (0.8, 1.0, 1.25)  # fast, average, new clerk


@dataclass
class Desk:
    counter: Counter
    clerk: object
    speed: float
    ticket: Ticket | None = None
    phase: str = "idle"  # idle | called | serving
    until: datetime | None = None


@dataclass
class Result:
    issued: int = 0
    served: int = 0
    no_shows: int = 0
    errors: list[tuple[int, int]] = field(default_factory=list)  # (estimated, actual) minutes

    @property
    def mae(self) -> float | None:
        if not self.errors:
            return None
        return sum(abs(e - a) for e, a in self.errors) / len(self.errors)


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth: fine for the small per-minute rates of a hall.
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _desks(hall, rng: random.Random) -> list[Desk]:
    clerks = list(
        HallAssignment.objects.filter(
            hall=hall, role__in=[HallRole.CLERK, HallRole.DUTY_SUPERVISOR, HallRole.HALL_MANAGER]
        )
        .select_related("user")
        .order_by("role", "user_id")
    )
    if not clerks:
        raise ValueError("the hall has no clerk to run counters")
    counters = list(Counter.objects.filter(hall=hall, status=CounterStatus.OPEN).order_by("number"))
    return [
        Desk(counter=c, clerk=clerks[i % len(clerks)].user, speed=CLERK_SPEED[i % len(CLERK_SPEED)])
        for i, c in enumerate(counters)
    ]


def simulate_day(
    *,
    hall,
    start: datetime,
    minutes: int,
    seed: int = 7,
    live: bool = False,
    speed: float = 1.0,
    log=None,
) -> Result:
    """Run ``minutes`` of hall time from ``start``. Fast mode moves the queue clock one minute per step; live mode
    waits ``60 / speed`` real seconds per simulated minute and uses the real clock."""
    rng = random.Random(seed)
    types = list(BusinessType.objects.for_hall(hall))
    by_cat = {c: [t for t in types if t.category == c] for c in CATEGORY_SHARE}
    cats = [c for c in CATEGORY_SHARE if by_cat[c]]
    weights = [CATEGORY_SHARE[c] for c in cats]
    desks = _desks(hall, rng)
    result = Result()
    now = start
    try:
        for _minute in range(minutes):
            if not live:
                clock.set_simulated(now)
            else:
                now = timezone.now()
            rate = HOURLY_CURVE.get(timezone.localtime(now).hour, 0) / 60
            for _ in range(_poisson(rng, rate)):
                bt = rng.choice(by_cat[rng.choices(cats, weights)[0]])
                prio = "elderly" if rng.random() < PRIORITY_SHARE else ""
                services.ticket_issue(hall=hall, business_type=bt, priority_kind=prio, source="simulation")
                result.issued += 1
            for desk in desks:
                _step(desk, now, rng, result)
            if log and _minute % 60 == 0:
                log(f"{timezone.localtime(now):%H:%M} issued={result.issued} served={result.served}")
            if live:
                time.sleep(60 / speed)
            now = now + timedelta(minutes=1)
    finally:
        clock.set_simulated(None)
    return result


def _step(desk: Desk, now: datetime, rng: random.Random, result: Result) -> None:
    if desk.phase == "idle":
        ticket = services.ticket_call_next(counter=desk.counter, clerk=desk.clerk)
        if ticket is None:
            return
        if ticket.estimated_wait_minutes is not None and ticket.wait_seconds is not None:
            result.errors.append((ticket.estimated_wait_minutes, round(ticket.wait_seconds / 60)))
        desk.ticket, desk.phase, desk.until = ticket, "called", now + timedelta(minutes=1)
        return
    if desk.until and now < desk.until:
        return
    t = desk.ticket
    if desk.phase == "called":
        if rng.random() < NO_SHOW_SHARE:
            services.ticket_no_show(ticket=t, clerk=desk.clerk)
            result.no_shows += 1
            desk.ticket, desk.phase = None, "idle"
            return
        t = services.handling_start(ticket=t, clerk=desk.clerk)
        if t.business_type.category == BusinessCategory.COMPLEX:
            services.handling_confirm_needs(ticket=t, clerk=desk.clerk)
        mean = HANDLING_MEAN[t.business_type.category] * desk.speed
        duration = max(1.0, rng.lognormvariate(math.log(mean), 0.45))
        desk.ticket, desk.phase, desk.until = t, "serving", now + timedelta(minutes=duration)
        return
    if desk.phase == "serving":
        services.handling_finish(
            ticket=t, clerk=desk.clerk, outcome="done", business_types=[t.business_type_id]
        )
        result.served += 1
        desk.ticket, desk.phase = None, "idle"


def waiting_left(hall, day) -> int:
    return Ticket.objects.filter(hall=hall, service_date=day, status=TicketStatus.WAITING).count()
