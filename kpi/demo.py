"""Demo: twelve months of handled tickets before today for the demo halls, rolled up, so the trends,
the three-month rule （王建国 runs late three months in a row） and the review pack show content. Idempotent: the
history is made once (tickets numbered ``H…`` from the simulation source), then only the rollups are refreshed.
The history's customers answered their evaluation invitations as customers do (about 40 %, mostly 满意 or better),
so satisfaction and the response rate have twelve months too. Complaints and consultations come from their own
demos (the last two months), so their trends start there."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.models import BusinessCategory, BusinessType
from evaluations.models import Channel, Evaluation, EvaluationInvitation, InvitationStatus, Level
from kpi.definitions import SHANGHAI, local_day
from kpi.models import Meeting
from kpi.rollup import rollup_range
from kpi.services import kpi_flag_month
from lib.months import add_months
from queueing.models import Ticket, TicketSource, TicketStatus
from staff.models import HallAssignment, HallRole
from standard.models import StandardVersion

PER_CLERK_PER_DAY = 3
ANSWERED_SHARE = 0.4
# 非常满意、满意、一般、不满意、非常不满意 — 96 % satisfied, a little below target for the late clerk.
LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.NEUTRAL, Level.DISSATISFIED, Level.VERY_DISSATISFIED)
WEIGHTS = {False: (74, 22, 2.5, 1, 0.5), True: (62, 28, 6, 3, 1)}
LATE_CLERK = "clerk2"  # below the on-time target for the last three closed months


def _history(hall, clerks, first, last, rnd) -> None:
    basics = list(BusinessType.objects.for_hall(hall).filter(category=BusinessCategory.BASIC)) or list(
        BusinessType.objects.for_hall(hall)
    )
    if not basics or not clerks:
        return
    late_from = add_months(local_day(timezone.now()).replace(day=1), -3)  # the last three closed months
    tickets = []
    day = first
    while day <= last:
        if day.weekday() < 6:
            seq = 0
            for clerk in clerks:
                for _i in range(PER_CLERK_PER_DAY):
                    seq += 1
                    late_share = 0.08 if clerk.username == LATE_CLERK and day >= late_from else 0.003
                    at = datetime.combine(day, time(9, 0), tzinfo=SHANGHAI) + timedelta(minutes=11 * seq)
                    within = rnd.random() >= late_share
                    no_show = rnd.random() < 0.04
                    tickets.append(
                        Ticket(
                            hall=hall,
                            business_type=rnd.choice(basics),
                            service_date=day,
                            prefix="H",
                            seq=seq,
                            number=f"H{seq:03d}",
                            source=TicketSource.SIMULATION,
                            status=TicketStatus.NO_SHOW if no_show else TicketStatus.DONE,
                            clerk=clerk,
                            issued_at=at,
                            arrival_at=at,
                            first_called_at=at + timedelta(minutes=4),
                            called_at=at + timedelta(minutes=4),
                            started_at=None if no_show else at + timedelta(minutes=5),
                            finished_at=None if no_show else at + timedelta(minutes=17 if within else 22),
                            no_show_at=at + timedelta(minutes=6) if no_show else None,
                            clock_mode="" if no_show else "start",
                            limit_minutes=None if no_show else 15,
                            within_limit=None if no_show else within,
                            outcome="" if no_show else "done",
                        )
                    )
        day += timedelta(days=1)
    Ticket.objects.bulk_create(tickets, batch_size=1000)


def _history_evaluations(hall, rnd) -> None:
    """Invitations for the history's handled tickets that have none yet (so an older demo database gets them too),
    about 40 % answered, the others expired a day after the visit."""
    tickets = list(
        Ticket.objects.filter(
            hall=hall,
            source=TicketSource.SIMULATION,
            number__startswith="H",
            status=TicketStatus.DONE,
            evaluation_invitation__isnull=True,
        ).select_related("clerk")
    )
    invitations, answered = [], []
    for t in tickets:
        answers = rnd.random() < ANSWERED_SHARE
        invitations.append(
            EvaluationInvitation(
                hall=hall,
                region_id=hall.region_id,
                ticket=t,
                clerk=t.clerk,
                business_type_id=t.business_type_id,
                invited_at=t.finished_at,
                pad_until=t.finished_at + timedelta(minutes=2),
                expires_at=t.finished_at + timedelta(days=1),
                status=InvitationStatus.ANSWERED if answers else InvitationStatus.EXPIRED,
                closed_at=t.finished_at + (timedelta(minutes=1) if answers else timedelta(days=1)),
            )
        )
        answered.append(answers)
    EvaluationInvitation.objects.bulk_create(invitations, batch_size=1000)
    evaluations = [
        Evaluation(
            invitation=inv,
            ticket=inv.ticket,
            hall=hall,
            region_id=hall.region_id,
            clerk=inv.clerk,
            business_type_id=inv.business_type_id,
            level=rnd.choices(LEVELS, WEIGHTS[inv.clerk.username == LATE_CLERK])[0],
            channel=Channel.WEB,
            submitted_at=inv.invited_at + timedelta(minutes=1),
        )
        for inv, answers in zip(invitations, answered, strict=True)
        if answers
    ]
    Evaluation.objects.bulk_create(evaluations, batch_size=1000)


def load(ctx: dict) -> None:
    halls = ctx.get("halls", [])
    if not halls:
        return
    now = timezone.now()
    today = local_day(now)
    first = add_months(today.replace(day=1), -12)
    version = StandardVersion.objects.order_by("effective_from").first()
    if version is not None:  # nothing is measured before the first standard version
        first = max(first, local_day(version.effective_from))
    last = today - timedelta(days=1)
    rnd = random.Random(20261202)
    User = get_user_model()
    for hall in halls:
        if Ticket.objects.filter(
            hall=hall, source=TicketSource.SIMULATION, number__startswith="H", service_date__lt=today
        ).exists():
            continue
        clerk_ids = HallAssignment.objects.filter(
            hall=hall, role__in=[HallRole.CLERK, HallRole.DUTY_SUPERVISOR]
        ).values_list("user_id", flat=True)
        clerks = list(User.objects.filter(pk__in=clerk_ids).order_by("username"))
        _history(hall, clerks, first, last, rnd)
    for hall in halls:
        _history_evaluations(hall, rnd)
    rollup_range(day_from=first, day_to=last, now=now)
    for i in range(3, 0, -1):
        kpi_flag_month(month=add_months(today.replace(day=1), -i), now=now)
    _meeting(halls[0], add_months(today.replace(day=1), -1), ctx)


def _meeting(hall, month, ctx) -> None:
    if Meeting.objects.filter(hall=hall, month=month).exists():
        return
    User = get_user_model()
    manager = User.objects.filter(
        hall_assignments__hall=hall, hall_assignments__role=HallRole.HALL_MANAGER
    ).first()
    if manager is None:
        return
    m = Meeting.objects.create(
        hall=hall,
        month=month,
        held_on=add_months(month, 1) + timedelta(days=1),
        attendees="厅经理、值班主管、全体营业员",
        highlights="投诉全部按时告知结果",
        problems="个别窗口复杂业务超时",
        decisions="超时较多的窗口安排业务辅导",
        recorded_by=manager,
    )
    owner = User.objects.filter(
        hall_assignments__hall=hall, hall_assignments__role=HallRole.DUTY_SUPERVISOR
    ).first()
    from kpi.services import plan_item_add

    plan_item_add(
        meeting=m,
        actor=manager,
        what="高峰时段增开一个综合窗口",
        why="业务办理及时率连续低于目标",
        owner=owner or manager,
        kpi="on_time",
    )
