"""Demo home visits (BIZ-1.2, BIZ-4) in the flagship hall: one waiting for confirmation, one waiting for the
customer's authorisation, one assigned for tomorrow, one done last week. Fake people, valid-format numbers.
Idempotent: nothing is added once the demo halls have visits."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from visits import services
from visits.models import HomeVisit

# name, phone, address, reason, agreement, content, last step reached
VISITS = [
    (
        "刘桂芳",
        "13512348001",
        "南山区桃源街道龙珠四路12号2栋503室",
        "limited_mobility",
        "",
        "补办SIM卡并开通亲情号码",
        "booked",
    ),
    (
        "陈国强",
        "13612348002",
        "南山区粤海街道高新南一道9号1201室",
        "limited_mobility",
        "",
        "老年套餐变更及话费查询",
        "confirmed",
    ),
    (
        "深圳某科技有限公司",
        "13712348003",
        "南山区科技园科苑路15号科兴科学园B座",
        "group_agreement",
        "JT-2026-017",
        "集团成员批量开卡（约20张）",
        "assigned",
    ),
    (
        "黄秀兰",
        "13812348004",
        "南山区南头街道南山大道2001号6栋301室",
        "limited_mobility",
        "",
        "宽带报装与机顶盒调试",
        "done",
    ),
]


def load(ctx: dict) -> None:
    halls = ctx["halls"]
    if HomeVisit.objects.filter(hall__in=halls).exists():
        return
    users = ctx["demo_users"]
    hall, greeter, supervisor, clerk = halls[0], users["greeter1"], users["supervisor1"], users["clerk2"]
    now = timezone.now()
    for index, (name, phone, address, reason, agreement, content, last) in enumerate(VISITS):
        booked = now - timedelta(days=8 if last == "done" else 2 - index * 0.5)
        visit = services.visit_book(
            hall=hall,
            reason=reason,
            agreement_reference=agreement,
            customer_name=name,
            contact_phone=phone,
            address=address,
            content=content,
            actor=greeter,
            now=booked,
        )
        if last == "booked":
            continue
        when = booked + timedelta(days=3) if last == "done" else now + timedelta(days=1 + index)
        when = timezone.localtime(when).replace(hour=10, minute=0, second=0, microsecond=0)
        services.visit_confirm(
            visit=visit, actor=supervisor, scheduled_at=when, now=booked + timedelta(hours=1)
        )
        if last == "confirmed":
            continue
        services.visit_authorise(
            visit=visit,
            actor=supervisor,
            authoriser="group_contact" if reason == "group_agreement" else "self",
            authoriser_name="周经理" if reason == "group_agreement" else name,
            method="written" if reason == "group_agreement" else "recorded_call",
            authorised_at=booked + timedelta(hours=1),
            now=booked + timedelta(hours=1),
        )
        services.visit_assign(visit=visit, actor=supervisor, clerk=clerk, now=booked + timedelta(hours=2))
        if last == "done":
            services.visit_record_result(
                visit=visit,
                actor=clerk,
                outcome="completed",
                result="宽带已开通，机顶盒调试正常，客户确认满意",
                now=when + timedelta(hours=1),
            )
