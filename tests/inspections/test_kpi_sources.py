"""SUP-2 compliance sources from inspections: Σ score ÷ Σ max per (local day, hall, clerk)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from inspections import kpi_sources
from inspections import services as s
from tests.inspections.conftest import all_pass

SH = ZoneInfo("Asia/Shanghai")


def test_sup_2_compliance_parts_and_rows(world):
    # 23:30 local on 3 Nov is still 3 Nov in Shanghai (15:30 UTC).
    at = datetime(2026, 11, 3, 23, 30, tzinfo=SH)
    with time_machine.travel(at, tick=False):
        run = s.inspection_start(hall=world["hall_a"], actor=world["manager_a"])
        run = s.inspection_submit(
            inspection=run,
            answers=all_pass(run.snapshot, **{"STF-PLAIN": {"result": "fail"}}),
            actor=world["manager_a"],
        )
        s.appearance_record(
            hall=world["hall_a"],
            actor=world["supervisor_a"],
            clerk_ids=[world["clerk_a"].pk],
            missed={world["clerk_a"].pk: ["APP-HAIR", "APP-BADGE"]},
        )
    parts = list(kpi_sources.parts(day_from=date(2026, 11, 3), day_to=date(2026, 11, 3)))
    by_source = {p["source"]: p for p in parts}
    assert set(by_source) == {"self_inspection", "appearance_check"}
    assert by_source["self_inspection"]["numerator"] == run.score_num
    assert by_source["self_inspection"]["denominator"] == run.score_den
    assert by_source["self_inspection"]["clerk_id"] is None and by_source["self_inspection"]["day"] == date(
        2026, 11, 3
    )
    assert (by_source["appearance_check"]["numerator"], by_source["appearance_check"]["denominator"]) == (
        3,
        5,
    )
    assert by_source["appearance_check"]["clerk_id"] == world["clerk_a"].pk
    assert all(p["kpi"] == "compliance" for p in parts)
    assert list(kpi_sources.parts(day_from=date(2026, 11, 4), day_to=date(2026, 11, 4))) == []
    rows = kpi_sources.rows(
        source="appearance_check",
        day_from=date(2026, 11, 3),
        day_to=date(2026, 11, 3),
        hall_ids=[world["hall_a"].pk],
        clerk_id=world["clerk_a"].pk,
    )
    assert [(r["numerator"], r["denominator"]) for r in rows] == [(3, 5)]
    assert (
        kpi_sources.rows(
            source="self_inspection",
            day_from=date(2026, 11, 3),
            day_to=date(2026, 11, 3),
            hall_ids=[world["hall_b"].pk],
        )
        == []
    )
    assert set(kpi_sources.LABELS) == {"self_inspection", "mystery_visit", "appearance_check"}
