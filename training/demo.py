"""Demo training (STF-3.1): this month's briefing in each hall with most staff signed in and a few still missing,
an upcoming case review with closed complaint files linked, and one open retraining. Placed relative to today.
Idempotent: nothing is added once the demo halls have sessions."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from complaints.models import Complaint, Status
from training import services
from training.models import SessionKind, SignInMethod, TrainingSession

# hall index, manager, trainees who signed in (quiz score or None); the others of the hall stay missing
BRIEFINGS = [
    (0, "manager1", [("clerk1", 92), ("clerk2", 85), ("greeter1", None)]),
    (1, "manager_sk", [("clerk_sk", 88)]),
    (2, "manager_xl", []),
]


def load(ctx: dict) -> None:
    halls = ctx["halls"]
    if TrainingSession.objects.filter(hall__in=halls).exists():
        return
    users = ctx["demo_users"]
    now = timezone.now()
    local = timezone.localtime(now)
    # Earlier today (or this morning of the 1st): this month's briefing already happened.
    start = max(local.replace(hour=0, minute=30, second=0, microsecond=0), local - timedelta(hours=4))
    for index, manager_name, signed in BRIEFINGS:
        hall, manager = halls[index], users[manager_name]
        session = services.session_create(
            hall=hall,
            kind=SessionKind.BRIEFING,
            title="新业务解读：5G-A畅享套餐与权益",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            actor=manager,
            trainer=manager,
            description="套餐档位、资费政策、合约期与退订规则；随堂测验10题。",
            links=["https://example.com/training/5g-a-plan.pdf"],
            has_quiz=True,
        )
        for offset, (username, score) in enumerate(signed):
            attendance, _created = services._attend(
                session=session,
                clerk=users[username],
                method=SignInMethod.QR,
                now=start + timedelta(minutes=2 + offset),
            )
            if score is not None:
                services.attendance_score(attendance=attendance, actor=manager, score=score)
    hall, manager = halls[0], users["manager1"]
    review_at = (local + timedelta(days=2)).replace(hour=18, minute=0, second=0, microsecond=0)
    review = services.session_create(
        hall=hall,
        kind=SessionKind.CASE_REVIEW,
        title="案例复盘：套餐变更未生效引发的投诉",
        starts_at=review_at,
        ends_at=review_at + timedelta(hours=1),
        actor=manager,
        trainer_name="区域质检 王老师",
        description="复盘投诉处理中的解释口径与补偿标准。",
    )
    numbers = list(
        Complaint.objects.filter(hall=hall, status=Status.CLOSED)
        .order_by("accepted_at")
        .values_list("number", flat=True)[:2]
    )
    if numbers:
        services.session_link_cases(session=review, actor=manager, numbers=numbers)
    services.retraining_assign(
        clerk=users["clerk3"],
        hall=hall,
        reason="连续3个月服务规范达标率低于95%",
        assigned_by=manager,
        due=(local + timedelta(days=14)).date(),
    )
