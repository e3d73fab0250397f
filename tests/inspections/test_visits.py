"""SUP-1.3 mystery-shopper visits: plan, report minimum content, review; unannounced; shopper isolation."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from inspections import visit_services as vs
from inspections.models import ConductFinding, Rectification, Visit, VisitStatus
from lib.errors import ServiceError
from tests.inspections.conftest import fake_exe, png

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=SH)
ITEMS = ["STF-GREET", "STF-PLAIN", "BIZ-MATERIALS", "BIZ-WAIT"]
FINDINGS = (
    "进门后无人问候,等候约二十分钟后叫号;营业员使用“融合套餐”“副卡”等术语未作解释,办理结束没有送别语。" * 2
)


@pytest.fixture
def plan(iw):
    with time_machine.travel(NOW, tick=False):
        return vs.visit_plan(
            hall=iw["hall_a"],
            scenario="咨询资费并办理新号码",
            item_codes=ITEMS,
            window_start=date(2026, 11, 10),
            window_end=date(2026, 11, 14),
            shopper=iw["shopper"],
            actor=iw["inspector"],
        )


def _report(visit, user, **over):
    kwargs = dict(
        visit=visit,
        actor=user,
        arrived_at=datetime(2026, 11, 11, 10, 0, tzinfo=SH),
        ticket_number="a012",
        called_at=datetime(2026, 11, 11, 10, 20, tzinfo=SH),
        counter_label="3号窗口",
        clerk_observed="张小丽",
        left_at=datetime(2026, 11, 11, 10, 40, tzinfo=SH),
        answers={
            "STF-GREET": {"result": "fail"},
            "STF-PLAIN": {"result": "fail"},
            "BIZ-MATERIALS": {"result": "pass"},
            "BIZ-WAIT": {"number": 20},
        },
        findings=FINDINGS,
        suggestions="加强问候语培训",
        files=[png(), png(), png(), png()],
    )
    kwargs.update(over)
    return vs.visit_report_submit(**kwargs)


def test_sup_1_3_report_minimum_content(iw, plan):
    with pytest.raises(ServiceError) as exc:
        _report(plan, iw["shopper"], findings="太短")
    assert exc.value.code == "findings_too_short"
    with pytest.raises(ServiceError) as exc:
        _report(plan, iw["shopper"], files=[png(), png(), png()])
    assert exc.value.code == "photos_required"
    with pytest.raises(ServiceError) as exc:
        _report(plan, iw["shopper"], files=[png(), png(), png(), fake_exe()])
    assert exc.value.code == "file_type"
    with pytest.raises(ServiceError) as exc:
        _report(
            plan,
            iw["shopper"],
            arrived_at=datetime(2026, 11, 20, 10, 0, tzinfo=SH),
            left_at=datetime(2026, 11, 20, 11, 0, tzinfo=SH),
            called_at=None,
        )
    assert exc.value.code == "outside_window"
    with pytest.raises(ServiceError) as exc:
        _report(plan, iw["shopper"], left_at=datetime(2026, 11, 11, 9, 0, tzinfo=SH))
    assert exc.value.code == "left_invalid"
    with pytest.raises(ServiceError):
        _report(plan, iw["clerk_b"])  # not the assigned shopper
    plan.refresh_from_db()
    assert plan.status == VisitStatus.PLANNED and not plan.media.exists()


def test_sup_1_3_min_content_is_a_setting(iw, plan, settings):
    settings.TINGWU_VISIT_MIN_FINDINGS_CHARS = 2
    settings.TINGWU_VISIT_MIN_PHOTOS = 1
    visit = _report(plan, iw["shopper"], findings="很好", files=[png()])
    assert visit.status == VisitStatus.SUBMITTED


def test_sup_1_3_unannounced_until_accepted_then_rectification_and_clerk_credit(iw, plan):
    _make_ticket(iw["hall_a"], iw["clerk_a"], date(2026, 11, 11), "A012")
    hall_staff = [iw["clerk_a"], iw["manager_a"], iw["supervisor_a"], iw["auditor"], iw["clerk_b"]]
    for user in hall_staff:
        assert not Visit.objects.for_user(user).exists(), user
    assert Visit.objects.for_user(iw["inspector"]).count() == 1
    visit = _report(plan, iw["shopper"])
    for user in hall_staff:
        assert not Visit.objects.for_user(user).exists(), user
    assert not Rectification.objects.exists()
    with pytest.raises(ServiceError):
        vs.visit_review(visit=visit, actor=iw["manager_a"], accept=True)
    with pytest.raises(ServiceError) as exc:
        vs.visit_review(visit=visit, actor=iw["inspector"], accept=False)
    assert exc.value.code == "reason_required"
    visit = vs.visit_review(visit=visit, actor=iw["inspector"], accept=False, reason="照片模糊,请补充")
    assert visit.status == VisitStatus.RETURNED
    visit = _report(visit, iw["shopper"], files=[])  # the four photos already uploaded still count
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        visit = vs.visit_review(visit=visit, actor=iw["inspector"], accept=True)
    assert visit.status == VisitStatus.ACCEPTED and visit.matched_clerk == iw["clerk_a"]
    assert Visit.objects.for_user(iw["clerk_a"]).count() == 1
    assert Visit.objects.for_user(iw["manager_a"]).count() == 1
    assert not Visit.objects.for_user(iw["clerk_b"]).exists()  # another hall
    rects = Rectification.objects.filter(visit=visit)
    assert sorted(rects.values_list("item_code", flat=True)) == ["BIZ-WAIT", "STF-GREET", "STF-PLAIN"]
    assert set(rects.values_list("owner", flat=True)) == {iw["manager_a"].pk}
    findings = ConductFinding.objects.filter(visit=visit)
    assert findings.count() == 3 and {x.clerk for x in findings} == {iw["clerk_a"]}
    assert visit.score_num == 2 and visit.score_den == 2 + 1 + 2 + 2
    # A re-visit after rectification.
    with time_machine.travel(NOW + timedelta(days=4), tick=False):
        again = vs.visit_plan(
            hall=iw["hall_a"],
            scenario="复访",
            item_codes=["STF-GREET"],
            window_start=date(2026, 11, 20),
            window_end=date(2026, 11, 25),
            shopper=iw["shopper"],
            actor=iw["inspector"],
            revisit_of=visit,
        )
    assert again.revisit_of == visit


def _make_ticket(hall, clerk, day, number):
    from queueing.models import Ticket

    fields = {f.name for f in Ticket._meta.get_fields()}
    data = {"hall": hall, "service_date": day, "number": number, "clerk": clerk}
    from catalog.models import BusinessType

    if "business_type" in fields:
        data["business_type"] = BusinessType.objects.first()
    at = datetime.combine(day, datetime.min.time(), tzinfo=SH) + timedelta(hours=10)
    data["issued_at"] = at
    if "arrival_at" in fields:
        data["arrival_at"] = at
    if "prefix" in fields:
        data["prefix"] = number[0]
    if "seq" in fields:
        data["seq"] = int(number[1:])
    return Ticket.objects.create(**data)


def test_sup_1_3_plan_bad_input(iw):
    base = dict(
        hall=iw["hall_a"],
        scenario="场景",
        item_codes=ITEMS,
        window_start=date(2026, 11, 10),
        window_end=date(2026, 11, 14),
        shopper=iw["shopper"],
        actor=iw["inspector"],
    )
    cases = [
        ({"scenario": " "}, "scenario_required"),
        ({"item_codes": []}, "items_required"),
        ({"item_codes": ["NOPE"]}, "unknown_item"),
        ({"window_end": date(2026, 11, 1)}, "window_invalid"),
        ({"shopper": iw["clerk_a"]}, "shopper_own_hall"),
        ({"shopper": None}, "shopper_required"),
    ]
    with time_machine.travel(NOW, tick=False):
        for over, code in cases:
            with pytest.raises(ServiceError) as exc:
                vs.visit_plan(**(base | over))
            assert exc.value.code == code, over
        with pytest.raises(ServiceError):
            vs.visit_plan(**(base | {"actor": iw["manager_a"]}))  # only quality inspectors plan
        # Internal staff of another hall may shop.
        assert vs.visit_plan(**(base | {"shopper": iw["clerk_b"]})).shopper == iw["clerk_b"]


def test_sup_1_3_shopper_account_has_no_hall_access(iw):
    from complaints.models import Complaint
    from halls.models import Hall
    from inspections.models import Inspection
    from queueing.models import Ticket
    from staff.access import hall_ids_for_user, region_ids_for_user, user_can

    shopper = iw["shopper"]
    assert hall_ids_for_user(shopper) == set()
    assert region_ids_for_user(shopper) == set()
    for model in (Hall, Complaint, Ticket, Inspection, Rectification, Visit, ConductFinding):
        assert not model.objects.for_user(shopper).exists(), model
    assert not user_can(shopper, "inspection.view")
    with pytest.raises(ServiceError) as exc:
        vs.shopper_create(
            region=iw["region"], username="shopper1", password="Shop!per2026x", actor=iw["inspector"]
        )
    assert exc.value.code == "username_taken"
    with pytest.raises(ServiceError) as exc:
        vs.shopper_create(region=iw["region"], username="s2", password="short", actor=iw["inspector"])
    assert exc.value.code == "weak_password"
    with pytest.raises(ServiceError):
        vs.shopper_create(region=iw["region"], username="s3", password="Shop!per2026x", actor=iw["manager_a"])
