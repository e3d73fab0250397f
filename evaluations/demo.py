"""Demo evaluations: the last 30 days of finished tickets in every hall, invited and mostly answered, with a
realistic distribution (about 62 % 非常满意， 25 % 满意， 7 % 一般， 4 % 不满意， 2 % 非常不满意； one clerk a little
worse), low-score reasons and comments, follow-ups (older ones done), one flagged burst, and a rating pad per hall.
Relative to today; idempotent (nothing is added once a hall has evaluations).

The past tickets are written directly (a month of queue operations through the services would take minutes);
invitations and answers go through ``evaluations.services`` like real ones.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from catalog.models import BusinessType
from evaluations import services
from evaluations.models import Evaluation, FollowUp, RatingPad, ReasonChip
from halls.models import Counter
from queueing.models import Outcome, Ticket, TicketStatus
from staff.models import HallAssignment, HallRole

DAYS = 30
PER_DAY = 8
WEIGHTS = [(5, 62), (4, 25), (3, 7), (2, 4), (1, 2)]
COMMENTS = [
    "等候时间太长，取号后排了很久",
    "营业员解释不够耐心，说话有点急",
    "办理流程繁琐，材料要求讲得不清楚",
    "业务不熟练，查了很久才办好",
    "窗口开得太少，排队的人很多",
    "希望能提前告知需要带的材料",
]
REASON_FOR = {
    0: "long_wait",
    1: "impatient",
    2: "cumbersome",
    3: "unskilled",
    4: "long_wait",
    5: "cumbersome",
}


def _level(rng: random.Random, weak: bool) -> int:
    weights = [
        (lv, w * (0.7 if lv == 5 and weak else 1) + (4 if lv <= 3 and weak else 0)) for lv, w in WEIGHTS
    ]
    return rng.choices([lv for lv, _w in weights], [w for _lv, w in weights])[0]


def load(ctx: dict) -> None:
    halls = ctx.get("halls") or []
    now = timezone.now()
    services.reason_chips_seed()
    chips = {c.code: c for c in ReasonChip.objects.all()}
    for hall in halls:
        if Evaluation.objects.filter(hall=hall).exists():
            continue
        counters = list(Counter.objects.filter(hall=hall).order_by("number"))
        clerks = [
            a.user for a in HallAssignment.objects.filter(hall=hall, role=HallRole.CLERK).order_by("user_id")
        ]
        types = list(BusinessType.objects.for_hall(hall).order_by("pk"))
        staff = (
            HallAssignment.objects.filter(hall=hall, role=HallRole.HALL_MANAGER).order_by("user_id").first()
        )
        manager = staff.user if staff else None
        if not counters or not clerks or not types:
            continue
        pads = {}
        if manager is not None:
            for counter in counters[:2]:
                pad = RatingPad.objects.filter(counter=counter).first()
                if pad is None:
                    pad, raw = services.rating_pad_create(counter=counter, actor=manager)
                    (ctx.setdefault("rating_pad_tokens", {}))[(hall.code, counter.number)] = raw
                pads[counter.pk] = pad
        tz = timezone.get_current_timezone()
        for days_ago in range(DAYS, 0, -1):
            day = timezone.localdate(now) - timedelta(days=days_ago)
            rng = random.Random(f"{hall.code}-{day}")
            for i in range(PER_DAY):
                counter = counters[i % len(counters)]
                clerk = clerks[i % len(clerks)]
                bt = types[i % len(types)]
                start = datetime.combine(day, time(9, 0), tz) + timedelta(minutes=40 * i + rng.randint(0, 20))
                finished = start + timedelta(minutes=rng.randint(4, 14))
                seq = 900 + i
                ticket = Ticket.objects.create(
                    hall=hall,
                    business_type=bt,
                    service_date=day,
                    prefix="V",
                    seq=seq,
                    number=f"V{seq}",
                    status=TicketStatus.DONE,
                    counter=counter,
                    clerk=clerk,
                    issued_at=start - timedelta(minutes=rng.randint(2, 25)),
                    arrival_at=start - timedelta(minutes=rng.randint(2, 25)),
                    first_called_at=start - timedelta(minutes=1),
                    called_at=start - timedelta(minutes=1),
                    started_at=start,
                    finished_at=finished,
                    outcome=Outcome.DONE,
                )
                inv = services.invitation_create(ticket=ticket, now=now)
                if rng.random() > 0.78:  # not answered: expires
                    continue
                level = _level(rng, weak=clerk == clerks[-1] and len(clerks) > 1)
                reasons, comment = [], ""
                if level <= 3:
                    k = rng.randrange(len(COMMENTS))
                    reasons = [chips[REASON_FOR[k]]] if REASON_FOR[k] in chips else []
                    comment = COMMENTS[k] if rng.random() < 0.7 else ""
                pad = pads.get(counter.pk)
                channel = "pad" if pad is not None and rng.random() < 0.8 else "web"
                ev = services.evaluation_submit(
                    invitation=inv,
                    level=level,
                    reasons=reasons,
                    comment=comment,
                    channel=channel,
                    pad=pad if channel == "pad" else None,
                    now=finished + timedelta(seconds=rng.randint(5, 50)),
                )
                if ev.is_low and days_ago > 1 and manager is not None:
                    fu = FollowUp.objects.get(evaluation=ev)
                    services.follow_up_complete(
                        follow_up=fu,
                        actor=manager,
                        outcome="explained",
                        note="已致电客户说明情况并致歉，客户表示理解",
                        now=ev.submitted_at + timedelta(hours=rng.randint(1, 20)),
                    )
        _burst(hall, counters, clerks, types, pads, now)
    services.evaluation_sweep(now=now)
    tokens = ctx.get("rating_pad_tokens") or {}
    if tokens and not ctx.get("quiet") and ctx.get("stdout"):
        ctx["stdout"].write("Rating pads: open /evaluations/pad/pair/ on the pad and enter its token:")
        for (code, number), raw in sorted(tokens.items()):
            ctx["stdout"].write(f"  {code} counter {number}: {raw}")


def _burst(hall, counters, clerks, types, pads, now) -> None:
    """Three 非常满意 seconds apart on one pad two days ago: the third is flagged for review."""
    if not pads:
        return
    counter = next(c for c in counters if c.pk in pads)
    day = timezone.localdate(now) - timedelta(days=2)
    base = datetime.combine(day, time(17, 30), timezone.get_current_timezone())
    for i in range(3):
        finished = base + timedelta(seconds=20 * i)
        ticket = Ticket.objects.create(
            hall=hall,
            business_type=types[0],
            service_date=day,
            prefix="V",
            seq=950 + i,
            number=f"V{950 + i}",
            status=TicketStatus.DONE,
            counter=counter,
            clerk=clerks[0],
            issued_at=finished - timedelta(minutes=10),
            arrival_at=finished - timedelta(minutes=10),
            started_at=finished - timedelta(minutes=2),
            finished_at=finished,
            outcome=Outcome.DONE,
        )
        inv = services.invitation_create(ticket=ticket, now=now)
        services.evaluation_submit(
            invitation=inv, level=5, channel="pad", pad=pads[counter.pk], now=finished + timedelta(seconds=5)
        )
