"""ENV-4 three cleanings a day: rounds from the hall's opening hours for that date (holiday closed, 调休 open),
done on time / late / missed, the countersigned sheet, and compliance arithmetic (nothing due ≠ 100 %)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from facilities.models import CleaningRound, RoundKind, RoundStatus
from facilities.selectors import compliance
from facilities.services import cleaning_sweep, round_complete, rounds_generate, sheet_sign
from facilities.services.cleaning import round_windows
from lib.errors import Conflict, Forbidden, NotFound, ServiceError
from tests.facilities.conftest import SH

WEEKDAYS_ONLY = {str(d): [["09:00", "18:00"]] for d in range(5)}
PARAMS = {"patrol_hours": 2, "pre_minutes": 60, "closing_minutes": 60}


def hm(dt):
    return dt.astimezone(SH).strftime("%H:%M")


def test_env_4_rounds_of_a_normal_day():
    rounds = round_windows(WEEKDAYS_ONLY, date(2026, 12, 7), **PARAMS)
    assert [(k, s, hm(a), hm(b)) for k, s, a, b in rounds] == [
        ("pre_opening", 1, "08:00", "09:00"),
        ("patrol", 1, "09:00", "11:00"),
        ("patrol", 2, "11:00", "13:00"),
        ("patrol", 3, "13:00", "15:00"),
        ("patrol", 4, "15:00", "17:00"),
        ("closing", 1, "18:00", "19:00"),
    ]


def test_env_4_lunch_break_is_not_patrolled_and_the_interval_is_the_standards():
    hours = {"0": [["08:30", "12:00"], ["14:00", "17:30"]]}
    rounds = round_windows(hours, date(2026, 12, 7), **(PARAMS | {"patrol_hours": 1.5}))
    patrols = [(hm(a), hm(b)) for k, _s, a, b in rounds if k == "patrol"]
    assert patrols == [("08:30", "10:00"), ("10:00", "11:30"), ("14:00", "15:30"), ("15:30", "17:00")]
    assert hm(rounds[-1][2]) == "17:30"


def test_env_4_statutory_holiday_is_closed_and_tiaoxiu_saturday_opens():
    """国庆 2026: 1–7 Oct closed; Saturday 10 Oct is a 调休 working day (Monday's hours for a weekday-only hall)."""
    assert round_windows(WEEKDAYS_ONLY, date(2026, 10, 1), **PARAMS) == []
    assert round_windows(WEEKDAYS_ONLY, date(2026, 10, 3), **PARAMS) == []  # a weekend in the holiday
    makeup = round_windows(WEEKDAYS_ONLY, date(2026, 10, 10), **PARAMS)
    assert len(makeup) == 6 and hm(makeup[0][3]) == "09:00"
    assert round_windows(WEEKDAYS_ONLY, date(2026, 10, 17), **PARAMS) == []  # an ordinary Saturday


def test_env_4_sweep_generates_today_and_tomorrow_once_and_marks_missed(world):
    hall = world["hall_a"]
    hall.opening_hours = WEEKDAYS_ONLY
    hall.save()
    now = datetime(2026, 10, 9, 7, 0, tzinfo=SH)  # Friday before the 调休 Saturday
    with time_machine.travel(now, tick=False):
        first = cleaning_sweep(now=now)
        second = cleaning_sweep(now=now)
    hall_rounds = CleaningRound.objects.filter(hall=hall)
    assert {r.day for r in hall_rounds} == {date(2026, 10, 9), date(2026, 10, 10)}
    assert hall_rounds.count() == 12 and second["generated"] == 0 and first["generated"] >= 12
    later = datetime(2026, 10, 9, 12, 30, tzinfo=SH)
    result = cleaning_sweep(now=later)
    # pre-opening (due 09:00) and patrol 1 (due 11:00) are past their 60-minute grace
    assert result["missed"] == 2 * 3  # the same two in each of the three halls (all open 09:00 on a Friday)
    assert CleaningRound.objects.filter(hall=hall, status=RoundStatus.MISSED).count() == 2


def _rounds(world, day=date(2026, 12, 7)):
    hall = world["hall_a"]
    rounds_generate(hall=hall, day=day, now=datetime(2026, 12, 7, 7, 0, tzinfo=SH))
    return {(r.kind, r.seq): r for r in CleaningRound.objects.filter(hall=hall, day=day)}


def test_env_4_done_on_time_late_missed_and_compliance(world, private_media):
    rounds = _rounds(world)
    g = world["greeter_a"]
    with time_machine.travel(datetime(2026, 12, 7, 8, 40, tzinfo=SH), tick=False):
        round_complete(user=g, cleaning_round=rounds[("pre_opening", 1)])
        with pytest.raises(ServiceError) as exc:
            round_complete(user=g, cleaning_round=rounds[("patrol", 1)])  # not open yet
        assert exc.value.code == "round_not_open"
    with time_machine.travel(datetime(2026, 12, 7, 11, 30, tzinfo=SH), tick=False):
        round_complete(user=g, cleaning_round=rounds[("patrol", 1)], note="座椅已整理")  # late
        round_complete(user=g, cleaning_round=rounds[("patrol", 2)])
        with pytest.raises(Conflict):
            round_complete(user=g, cleaning_round=rounds[("patrol", 2)])
    cleaning_sweep(now=datetime(2026, 12, 7, 20, 30, tzinfo=SH))
    with pytest.raises(Conflict) as exc:
        with time_machine.travel(datetime(2026, 12, 7, 20, 31, tzinfo=SH), tick=False):
            round_complete(user=g, cleaning_round=rounds[("closing", 1)])
    assert exc.value.code == "round_missed"
    now = datetime(2026, 12, 7, 21, 0, tzinfo=SH)
    figure = compliance(hall=world["hall_a"], day_from=date(2026, 12, 7), day_to=date(2026, 12, 7), now=now)
    # due 6, on time: pre-opening and patrol 2 → 2/6
    assert figure["by_kind"]["cleaning"] == {"on_time": 2, "due": 6, "ratio": pytest.approx(2 / 6)}
    assert figure["by_kind"]["maintenance"] == {"on_time": 0, "due": 0, "ratio": None}
    # mid-morning only what has fallen due counts (patrol 2 was done early in its window: counted)
    mid = compliance(
        hall=world["hall_a"],
        day_from=date(2026, 12, 7),
        day_to=date(2026, 12, 7),
        now=datetime(2026, 12, 7, 11, 45, tzinfo=SH),
    )
    assert (mid["on_time"], mid["due"]) == (2, 3)


def test_env_4_nothing_due_is_never_100_percent(world):
    closed = compliance(hall=world["hall_a"], day_from=date(2026, 10, 1), day_to=date(2026, 10, 1))
    assert closed["due"] == 0 and closed["ratio"] is None


def test_env_4_sheet_countersigned_by_the_duty_supervisor(world):
    rounds = _rounds(world)
    with pytest.raises(Conflict) as exc:
        sheet_sign(user=world["supervisor_a"], hall=world["hall_a"], day=date(2026, 12, 7))
    assert exc.value.code == "sheet_incomplete"
    with time_machine.travel(datetime(2026, 12, 7, 8, 30, tzinfo=SH), tick=False):
        round_complete(user=world["greeter_a"], cleaning_round=rounds[("pre_opening", 1)])
    cleaning_sweep(now=datetime(2026, 12, 7, 23, 0, tzinfo=SH))
    for who, err in [
        ("clerk_a", Forbidden),
        ("greeter_a", Forbidden),
        ("clerk_b", NotFound),
        ("auditor", Forbidden),
    ]:
        with pytest.raises(err):
            sheet_sign(user=world[who], hall=world["hall_a"], day=date(2026, 12, 7))
    sheet = sheet_sign(user=world["supervisor_a"], hall=world["hall_a"], day=date(2026, 12, 7))
    assert sheet.signed_by == world["supervisor_a"]
    with pytest.raises(Conflict):
        sheet_sign(user=world["manager_a"], hall=world["hall_a"], day=date(2026, 12, 7))
    with pytest.raises(ServiceError) as exc:
        sheet_sign(user=world["supervisor_a"], hall=world["hall_a"], day=date(2026, 12, 20))
    assert exc.value.code == "sheet_empty"


def test_env_4_round_personas(world):
    rounds = _rounds(world)
    with time_machine.travel(datetime(2026, 12, 7, 8, 30, tzinfo=SH), tick=False):
        for who, err in [("clerk_b", NotFound), ("auditor", Forbidden), ("inspector", Forbidden)]:
            with pytest.raises(err):
                round_complete(user=world[who], cleaning_round=rounds[("pre_opening", 1)])
        assert CleaningRound.objects.get(pk=rounds[("pre_opening", 1)].pk).status == RoundStatus.DUE
        round_complete(user=world["manager_a"], cleaning_round=rounds[("pre_opening", 1)])
    assert RoundKind.PRE_OPENING == rounds[("pre_opening", 1)].kind


def test_kpi_source_environment_contract(world):
    """KPI contract: compliance / environment per (day, hall), no clerk; rows without PI."""
    from facilities import kpi_sources

    rounds = _rounds(world)
    with time_machine.travel(datetime(2026, 12, 7, 8, 30, tzinfo=SH), tick=False):
        round_complete(
            user=world["greeter_a"], cleaning_round=rounds[("pre_opening", 1)], note="电话13800138000"
        )
    with time_machine.travel(datetime(2026, 12, 8, 1, 0, tzinfo=SH), tick=False):
        got = list(kpi_sources.parts(day_from=date(2026, 12, 7), day_to=date(2026, 12, 7)))
        assert got == [
            {
                "kpi": "compliance",
                "source": "environment",
                "day": date(2026, 12, 7),
                "hall_id": world["hall_a"].pk,
                "clerk_id": None,
                "business_type_id": None,
                "numerator": 1,
                "denominator": 6,
            }
        ]
        assert "environment" in kpi_sources.LABELS
        detail = kpi_sources.rows(
            source="environment",
            day_from=date(2026, 12, 7),
            day_to=date(2026, 12, 7),
            hall_ids=[world["hall_a"].pk],
        )
        assert len(detail) == 6 and sum(r["numerator"] for r in detail) == 1
        assert {r["note"] for r in detail} == {"", "未按时完成"}
        assert "13800138000" not in repr(detail)
        assert (
            kpi_sources.rows(
                source="other", day_from=date(2026, 12, 7), day_to=date(2026, 12, 7), hall_ids=[]
            )
            == []
        )
        assert list(kpi_sources.parts(day_from=date(2026, 10, 1), day_to=date(2026, 10, 1))) == []
