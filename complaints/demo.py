"""Demo complaints in this month, the last and the one before, so the list, the clocks and the hot-spot page (which
compares a month with the one before) have content whatever today is (lib.demotime).

Fake people with valid-format numbers (never real ones). Idempotent: nothing is added once the demo halls have
complaints.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from catalog.models import BusinessType
from complaints import services
from complaints.models import Complaint
from lib.demotime import hours_ago, in_month, not_after

# when, hall index, channel, name, phone, business code, demand, outcome
# when: (months back, share of that month) for history, or hours ago for the open cases of this month (recent, as
# in a hall whose team keeps up: contacted within the 2 hours, solutions under way)
# outcome: None (open) / "contact" / ("close", responsibility, at_fault)
COMPLAINTS = [
    (
        (2, 0.2),
        0,
        "onsite",
        "周海燕",
        "13512340001",
        "PLAN_CHANGE",
        "套餐变更后一直没生效，本月还是按旧套餐扣费，要求退还多扣的话费",
        ("close", "company", True),
    ),
    (
        (2, 0.45),
        0,
        "phone",
        "吴建军",
        "13612340002",
        "TOPUP",
        "话费充值50元一直未到账，营业厅说系统故障，要求尽快到账",
        ("close", "third_party", True),
    ),
    (
        (2, 0.75),
        1,
        "phone",
        "卫东升",
        "15212340008",
        "TOPUP",
        "充值后话费未到账，客服让等24小时还是没有到账",
        ("close", "third_party", True),
    ),
    (
        (1, 0.1),
        0,
        "onsite",
        "孙立新",
        "13812340004",
        "PLAN_CHANGE",
        "套餐资费说明不清楚，流量超额扣费太多，怀疑乱扣费",
        ("close", "customer", False),
    ),
    (
        (1, 0.3),
        2,
        "app",
        "冯丽娟",
        "13912340005",
        "BROADBAND_NEW",
        "宽带安装预约了三次都没人上门，服务态度差",
        ("close", "company", True),
    ),
    (
        (1, 0.5),
        0,
        "onsite",
        "陈国庆",
        "15012340006",
        "SIM_REPLACE",
        "补换卡后手机没信号，营业员办错了卡类型",
        ("close", "staff", True),
    ),
    (
        (1, 0.7),
        1,
        "wecom",
        "郑秀英",
        "13712340003",
        "CONTRACT_PHONE",
        "合约机提前解约被收取高额违约金，办理时营业员没有说明合约期",
        ("close", "staff", True),
    ),
    (
        (1, 0.9),
        0,
        "wecom",
        "蒋春梅",
        "15312340009",
        "CONTRACT_PHONE",
        "合约期内想解约，违约金太高，营业员当时承诺可以免违约金",
        ("close", "staff", True),
    ),
    (
        50,
        0,
        "onsite",
        "褚美玲",
        "15112340007",
        "PLAN_CHANGE",
        "套餐变更没生效又被重复扣费，上月已经反映过一次",
        "contact",
    ),
    (
        30,
        1,
        "onsite",
        "沈志华",
        "15512340010",
        "PLAN_CHANGE",
        "资费套餐被擅自变更，月租费比原来高，要求恢复原套餐并退费",
        "contact",
    ),
    (
        20,
        0,
        "app",
        "韩雪",
        "15612340011",
        "INVOICE",
        "发票打印的抬头错误，营业员操作失误，要求重开",
        "contact",
    ),
    (3, 0, "onsite", "杨光明", "15812340012", "PLAN_CHANGE", "套餐变更一直没生效，流量包也没有到账", None),
    (
        0.5,
        2,
        "phone",
        "朱晓红",
        "15912340013",
        "BROADBAND_NEW",
        "宽带故障报修两天没人处理，网速慢到无法使用",
        None,
    ),
]


def load(ctx: dict) -> None:
    halls = ctx["halls"]
    if Complaint.objects.filter(hall__in=halls).exists():
        return
    users = ctx["demo_users"]
    clerk, supervisor, manager = users["clerk1"], users["supervisor1"], users["manager1"]
    hall_users = {
        0: (clerk, supervisor, manager),
        1: (users["clerk_sk"], users["manager_sk"], users["manager_sk"]),
    }
    hall_users[2] = (users["clerk_xl"], users["manager_xl"], users["manager_xl"])
    types = {bt.code: bt for bt in BusinessType.objects.all()}
    now = timezone.now()
    for when, hall_index, channel, name, phone, code, demand, outcome in COMPLAINTS:
        hall = halls[hall_index]
        intake_user, handler, closer = hall_users[hall_index]
        bt = types.get(code) or types.get("PLAN_CHANGE")
        if isinstance(when, tuple):
            accepted = in_month(now=now, months_ago=when[0], share=when[1])
        else:
            accepted = hours_ago(now=now, hours=when)
        c = services.complaint_intake(
            hall=hall,
            channel=channel if channel in ("onsite", "phone") else "onsite",
            complainant_name=name,
            contact_phone=phone,
            demand=demand,
            business_type=bt,
            actor=intake_user,
            now=accepted,
        )
        if channel in ("wecom", "app"):
            Complaint.objects.filter(pk=c.pk).update(
                channel=channel
            )  # demo only: as if it came through the API
        if outcome is None:
            continue
        services.complaint_contact(
            complaint=c,
            actor=handler,
            note="已电话联系客户确认情况",
            at=not_after(accepted + timedelta(minutes=50), now),
        )
        if outcome == "contact":
            continue
        _status, responsibility, at_fault = outcome
        if c.kind == "complex":
            services.complaint_task_force(complaint=c, actor=handler, leader=closer, members=[intake_user])
        services.complaint_solve(
            complaint=c,
            actor=handler,
            cause="经核查：" + demand[:20],
            solution="已按规定处理并向客户说明",
            compensation="赠送10元话费" if at_fault else "",
            follow_up="一周内回访确认",
            responsibility=responsibility,
            company_at_fault=at_fault,
            apologised=at_fault,
            policy_basis="" if at_fault else "《套餐资费协议》第3条：超出套餐的流量按标准资费计收",
            alternative="" if at_fault else "可改办含更多流量的套餐或加装流量包",
            notify_by="sms",
        )
        services.complaint_close(complaint=c, actor=closer, customer_response="accepted")
