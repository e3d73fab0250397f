"""Demo consultations: on-site questions waiting for a callback, answered ones, online ones. Idempotent."""

from __future__ import annotations

from django.utils import timezone

from consultations import services
from consultations.models import Consultation
from lib.demotime import hours_ago, in_month

# when: (months back, share of that month) for answered history, hours ago for the callbacks still due (a
# hall that keeps its 24-hour promise has only recent ones open); hall index, channel, name, phone, question, answer or None
CONSULTATIONS = [
    (
        (1, 0.3),
        0,
        "onsite",
        "何丽",
        "13512349001",
        "国际漫游流量包在哪些国家可以使用？",
        "覆盖全球60多个国家和地区，出行前可在APP开通",
    ),
    (
        (1, 0.7),
        0,
        "onsite",
        "吕强",
        "13612349002",
        "老人卡能不能办理副卡？",
        "可以，主卡持有人带身份证到厅办理",
    ),
    (
        (0, 0.3),
        1,
        "onsite",
        "施雨",
        "13712349003",
        "携号转网需要满足什么条件？",
        "号码在网满120天且无欠费、无合约即可",
    ),
    (5, 0, "onsite", "张伟", "13812349004", "宽带提速后路由器要不要更换？", None),
    (2, 0, "onsite", "曹芳", "13912349005", "停机保号每月收多少钱？", None),
    (0.5, 1, "onsite", "严磊", "15012349006", "企业套餐能否开具专用发票？", None),
]


def load(ctx: dict) -> None:
    halls = ctx["halls"]
    if Consultation.objects.filter(hall__in=halls).exists():
        return
    users = ctx["demo_users"]
    takers = {0: users["greeter1"], 1: users["clerk_sk"], 2: users["clerk_xl"]}
    answerers = {0: users["supervisor1"], 1: users["manager_sk"], 2: users["manager_xl"]}
    now = timezone.now()
    for when, hall_index, channel, name, phone, question, answer in CONSULTATIONS:
        c = services.consultation_record(
            hall=halls[hall_index],
            channel=channel,
            customer_name=name,
            contact_phone=phone,
            question=question,
            actor=takers[hall_index],
            now=in_month(now=now, months_ago=when[0], share=when[1])
            if isinstance(when, tuple)
            else hours_ago(now=now, hours=when),
        )
        if answer:
            services.consultation_answer(
                consultation=c, actor=answerers[hall_index], answer=answer, method="phone"
            )
