"""Demo consultations: on-site questions waiting for a callback, answered ones, online ones. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from consultations import services
from consultations.models import Consultation

# days ago, hall index, channel, name, phone, question, answer or None
CONSULTATIONS = [
    (
        40,
        0,
        "onsite",
        "何丽",
        "13512349001",
        "国际漫游流量包在哪些国家可以使用?",
        "覆盖全球60多个国家和地区,出行前可在APP开通",
    ),
    (30, 0, "onsite", "吕强", "13612349002", "老人卡能不能办理副卡?", "可以,主卡持有人带身份证到厅办理"),
    (
        20,
        1,
        "onsite",
        "施雨",
        "13712349003",
        "携号转网需要满足什么条件?",
        "号码在网满120天且无欠费、无合约即可",
    ),
    (5, 0, "onsite", "张伟", "13812349004", "宽带提速后路由器要不要更换?", None),
    (1, 0, "onsite", "曹芳", "13912349005", "停机保号每月收多少钱?", None),
    (0, 1, "onsite", "严磊", "15012349006", "企业套餐能否开具专用发票?", None),
]


def load(ctx: dict) -> None:
    halls = ctx["halls"]
    if Consultation.objects.filter(hall__in=halls).exists():
        return
    users = ctx["demo_users"]
    takers = {0: users["greeter1"], 1: users["clerk_sk"], 2: users["clerk_xl"]}
    answerers = {0: users["supervisor1"], 1: users["manager_sk"], 2: users["manager_xl"]}
    now = timezone.now()
    for days, hall_index, channel, name, phone, question, answer in CONSULTATIONS:
        c = services.consultation_record(
            hall=halls[hall_index],
            channel=channel,
            customer_name=name,
            contact_phone=phone,
            question=question,
            actor=takers[hall_index],
            now=now - timedelta(days=days, hours=2),
        )
        if answer:
            services.consultation_answer(
                consultation=c, actor=answerers[hall_index], answer=answer, method="phone"
            )
