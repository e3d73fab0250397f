"""A seeded month of raw rows (tickets and complaints) written straight to the tables, for rollup = raw tests."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from complaints.models import Complaint, ComplaintEvent, EventKind
from kpi.definitions import SHANGHAI
from queueing.models import Ticket, TicketStatus


def seed_month(world, month: date, *, seed: int = 7, per_day: int = 6) -> None:
    rnd = random.Random(seed)
    clerks = [world["clerk_a"], world["supervisor_a"], world["clerk_b"]]
    halls = {
        world["clerk_a"].pk: world["hall_a"],
        world["supervisor_a"].pk: world["hall_a"],
        world["clerk_b"].pk: world["hall_b"],
    }
    tickets, complaints = [], []
    day = month
    n = 0
    while day.month == month.month:
        for i in range(per_day):
            clerk = rnd.choice(clerks)
            hall = halls[clerk.pk]
            at = datetime.combine(day, time(9, 0), tzinfo=SHANGHAI) + timedelta(minutes=7 * i)
            roll = rnd.random()
            status = TicketStatus.NO_SHOW if roll < 0.1 else TicketStatus.DONE
            within = None if status == TicketStatus.NO_SHOW else (roll > 0.2)
            n += 1
            tickets.append(
                Ticket(
                    hall=hall,
                    business_type=world["basic"],
                    service_date=day,
                    prefix="A",
                    seq=n,
                    number=f"A{n:04d}",
                    status=status,
                    clerk=clerk,
                    issued_at=at,
                    arrival_at=at,
                    started_at=None if within is None else at,
                    finished_at=None if within is None else at + timedelta(minutes=9),
                    limit_minutes=15,
                    within_limit=within,
                    clock_mode="start",
                )
            )
        if rnd.random() < 0.6:
            # one complaint a day or so, accepted late in the evening so the Shanghai day matters
            at = datetime.combine(day, time(23, 30), tzinfo=SHANGHAI)
            complaints.append((rnd.choice([world["hall_a"], world["hall_b"]]), at, rnd.random()))
        day += timedelta(days=1)
    Ticket.objects.bulk_create(tickets)
    for i, (hall, at, roll) in enumerate(complaints):
        c = Complaint.objects.create(
            hall=hall,
            number=f"TS-SEED-{month:%Y%m}-{i:04d}",
            channel="onsite",
            complainant_name="某",
            contact_phone="13800000000",
            demand="诉求",
            business_type=world["basic"],
            suggested_kind="general",
            kind="general",
            accepted_at=at,
        )
        if roll < 0.7:
            ComplaintEvent.objects.create(
                complaint=c, hall=hall, kind=EventKind.NOTIFIED, at=at + timedelta(hours=20)
            )
        if roll < 0.15:
            ComplaintEvent.objects.create(
                complaint=c, hall=hall, kind=EventKind.REOPENED, at=at + timedelta(days=3)
            )
