"""Demo supervision data, placed relative to today: two weeks of self-inspections per demo hall with open and
closed rectification items, one accepted mystery-shopper report, and today's pre-shift checks. Idempotent:
nothing is added once the demo halls have a self-inspection."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from inspections import services as s
from inspections import visit_services as vs
from inspections.bank import seed_now
from inspections.models import Inspection, ShopperAccount

SHOPPER = ("shopper1", "Mystery#Visit2026")


def png_bytes() -> bytes:
    """A small valid 8×8 PNG (fpdf2 can embed it in the report)."""
    raw = b"".join(b"\x00" + bytes([200, 210, 220]) * 8 for _ in range(8))

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
    return png + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _photo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def _answers(snapshot, fails: dict, clerk=None) -> dict:
    answers = {}
    for item in snapshot:
        code = item["code"]
        if item["response_type"] == "pass_fail":
            answers[code] = {"result": "pass"}
        elif item["response_type"] == "score":
            answers[code] = {"score": item["max_score"]}
        else:
            answers[code] = {"number": 8}
    for code, note in fails.items():
        entry = {"result": "fail", "note": note, "photo": _photo(f"{code}.png")}
        if code.startswith("STF") and clerk is not None:
            entry["clerk"] = clerk.pk
        answers[code] = entry
    return answers


def load(ctx: dict) -> None:
    seed_now()
    halls = ctx["halls"]
    if Inspection.objects.filter(hall__in=halls).exists():
        return
    users = ctx["demo_users"]
    now = timezone.now()
    managers = {0: users["manager1"], 1: users["manager_sk"], 2: users["manager_xl"]}
    clerks = {0: users["clerk1"], 1: users["clerk_sk"], 2: users["clerk_xl"]}
    week_fails = [
        {"ENV-CLEAN": "等候区台面有杂物", "STF-PLAIN": "向老年客户解释时使用「流量包」等术语"},
        {"STF-PLAIN": "仍有术语未作解释", "ENV-SIGN": "自助区指引牌脱落"},
    ]
    for index, hall in enumerate(halls[:3]):
        manager = managers[index]
        for weeks_ago, fails in [(1, week_fails[0]), (0, week_fails[1])]:
            monday = s.local_midnight(s.week_start_of(s.local_day(now)))
            if weeks_ago == 1:
                at = monday - timedelta(days=5) + timedelta(hours=10)  # last Wednesday
            else:
                at = monday + timedelta(hours=10)
                at = at if at < now else now - timedelta(minutes=5)
            run = Inspection.objects.create(
                hall=hall,
                region_id=hall.region_id,
                week_start=s.week_start_of(s.local_day(at)),
                template_version=s.template_in_use(kind="self_inspection", hall=hall),
                snapshot=s.template_in_use(kind="self_inspection", hall=hall).items,
                inspector=manager,
                started_at=at,
            )
            s.inspection_submit(
                inspection=run, answers=_answers(run.snapshot, fails, clerks[index]), actor=manager, at=at
            )
            if weeks_ago == 1:  # last week's items are fixed and verified
                for rect in run.rectifications.all():
                    done_at = at + timedelta(days=1)
                    rect = s.rectification_complete(
                        rectification=rect,
                        actor=manager,
                        photo=_photo("fixed.png"),
                        note="已整改",
                        at=done_at,
                    )
                    s.rectification_verify(
                        rectification=rect, actor=manager, accept=True, at=done_at + timedelta(hours=3)
                    )
    s.inspection_sweep(now=now)
    _visit(halls[0], users, now)
    supervisor = users["supervisor1"]
    roster = [u.pk for u in s.clerks_on_duty(halls[0])]
    if roster:
        s.appearance_record(
            hall=halls[0], actor=supervisor, clerk_ids=roster, missed={roster[-1]: ["APP-BADGE"]}, at=now
        )


def _visit(hall, users, now) -> None:
    User = get_user_model()
    inspector = users["inspector1"]
    user = User.objects.filter(username=SHOPPER[0]).first()
    if user is None:
        account = vs.shopper_create(
            region=hall.region, username=SHOPPER[0], password=SHOPPER[1], actor=inspector
        )
        user = account.user
    elif not ShopperAccount.objects.filter(user=user).exists():
        return
    today = s.local_day(now)
    visit = vs.visit_plan(
        hall=hall,
        scenario="以新客户身份咨询5G套餐资费并办理一张新号码",
        item_codes=["STF-GREET", "STF-PLAIN", "BIZ-MATERIALS", "BIZ-WAIT"],
        window_start=today - timedelta(days=6),
        window_end=today,
        shopper=user,
        actor=inspector,
    )
    arrived = s.local_midnight(today - timedelta(days=4)) + timedelta(hours=10, minutes=12)
    visit = vs.visit_report_submit(
        visit=visit,
        actor=user,
        arrived_at=arrived,
        left_at=arrived + timedelta(minutes=38),
        called_at=arrived + timedelta(minutes=14),
        ticket_number="A031",
        counter_label="2号窗口",
        clerk_observed="李晓燕",
        answers={
            "STF-GREET": {"result": "pass"},
            "STF-PLAIN": {"result": "fail", "note": "介绍资费时多次使用「融合」「副卡」等术语"},
            "BIZ-MATERIALS": {"result": "pass"},
            "BIZ-WAIT": {"number": 14},
        },
        findings=(
            "进门后引导员主动问候并指引取号，等候14分钟后被叫号。营业员首问规范，但介绍套餐时多次使用「融合」「副卡」"
            "「定向流量」等行业术语，未主动解释，经追问才说明；办理结束有送别语。整体态度热情，流程清楚。"
        ),
        suggestions="对新客户介绍资费时先用通俗说法，再给出术语；可配合资费对比单页。",
        files=[_photo(f"visit{i}.png") for i in range(4)],
    )
    vs.visit_review(visit=visit, actor=inspector, accept=True, at=arrived + timedelta(days=1))
