"""SUP-1.2 monthly figures: satisfaction arithmetic, response rate, reasons ranked, keywords; personas; KPI
contract; bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from evaluations import kpi_sources, report
from evaluations import services as es
from evaluations.models import Evaluation, EvaluationInvitation, ReasonChip
from tests import factories as f
from tests.evaluations.conftest import finish


@pytest.fixture
def month(ev):
    """Hall A: 10 finished tickets — 4 非常满意, 3 满意, 1 一般 (等候时间长), 1 不满意 (等候时间长 + 沟通不耐心) and one
    unanswered; plus a flagged 非常满意 (excluded); hall B: clerk B one 一般."""
    wait, rude = ReasonChip.objects.get(code="long_wait"), ReasonChip.objects.get(code="impatient")
    answers = [(5, []), (5, []), (5, []), (5, []), (4, []), (4, []), (4, []), (3, [wait]), (2, [wait, rude])]
    made = []
    for level, reasons in answers:
        inv = es.invitation_create(ticket=finish(ev))
        comment = "等候时间太长,排队很久" if reasons else ""
        made.append(
            es.evaluation_submit(invitation=inv, level=level, reasons=reasons, comment=comment, channel="web")
        )
    es.invitation_create(ticket=finish(ev))  # invited, never answered
    inv = es.invitation_create(ticket=finish(ev))
    flagged = es.evaluation_submit(invitation=inv, level=5, channel="web")
    Evaluation.objects.filter(pk=flagged.pk).update(valid=False, exclusion="pad_burst", review="pending")
    hall_b = ev["hall_b"]
    c_b = f.counter(hall_b, 1)
    tb = finish({**ev, "hall": hall_b}, counter=c_b, clerk=ev["clerk_b"])
    es.evaluation_submit(invitation=es.invitation_create(ticket=tb), level=3, channel="web")
    return made


def _figures(user, group="clerk"):
    evs, invs = report.scoped(user)
    return report.monthly(evaluations=evs, invitations=invs, month=timezone.localdate(), group=group)


def test_sup_1_2_satisfaction_is_top_two_over_valid_with_n_and_response_rate(ev, month):
    data = _figures(ev["manager_a"])
    row = next(r for r in data["rows"] if r["key"] == ev["clerk_a"].pk)
    assert row["valid"] == 9 and row["top"] == 7 and row["excluded"] == 1
    assert row["satisfaction"] == round(7 * 100 / 9, 1)  # 77.8
    assert row["invited"] == 11 and row["answered"] == 10 and row["response_rate"] == round(10 * 100 / 11, 1)
    assert data["totals"]["valid"] == 9  # hall B is not the manager's


def test_sup_1_2_low_score_reasons_ranked_and_comment_keywords(ev, month):
    data = _figures(ev["manager_a"])
    assert [r["name"] for r in data["reasons"]] == ["等候时间长", "沟通不耐心"]
    assert data["reasons"][0]["count"] == 2 and data["reasons"][0]["share"] == 100.0
    words = [k["word"] for k in data["keywords"]]
    assert words and any("等候" in w or "排队" in w for w in words)


def test_sup_1_2_group_by_hall_and_region(ev, month):
    by_region = _figures(ev["inspector"], group="region")
    assert len(by_region["rows"]) == 1 and by_region["rows"][0]["valid"] == 10
    by_hall = _figures(ev["inspector"], group="hall")
    assert {r["label"] for r in by_hall["rows"]} == {"甲营业厅", "乙营业厅"}


def test_sup_1_2_personas_see_their_scope(ev, month):
    assert _figures(ev["clerk_b"])["totals"]["valid"] == 1  # clerk B: their own only
    assert _figures(ev["clerk_a"])["totals"]["valid"] == 9
    assert _figures(ev["auditor"])["totals"]["valid"] == 10
    for persona, status in [
        ("manager_a", 200),
        ("inspector", 200),
        ("auditor", 200),
        ("clerk_a", 200),
        ("clerk_b", 200),
    ]:
        c = Client()
        c.force_login(ev[persona])
        assert c.get("/evaluations/").status_code == status, persona
    c = Client()
    c.force_login(ev["clerk_b"])
    body = c.get("/evaluations/").content.decode()
    assert "甲营业厅" not in body.split("最近评价")[-1]
    assert c.get("/evaluations/flagged/").status_code == 403
    c.force_login(ev["auditor"])
    e = Evaluation.objects.filter(review="pending").first()
    assert c.post(f"/evaluations/{e.pk}/review", {"decision": "accept"}).status_code == 403
    c.force_login(ev["manager_a"])
    assert c.get("/evaluations/flagged/").status_code == 200
    assert c.post(f"/evaluations/{e.pk}/review", {"decision": "maybe"}).status_code == 400
    assert c.post(f"/evaluations/{e.pk}/review", {"decision": "accept"}).status_code == 302
    assert Evaluation.objects.get(pk=e.pk).valid


def test_sup_1_2_bad_input_on_report_page_and_api(ev, month):
    c = Client()
    c.force_login(ev["manager_a"])
    assert c.get("/evaluations/?month=2026-13").status_code == 400
    assert c.get("/evaluations/?month=abc").status_code == 400
    assert c.get("/evaluations/?group=planet").status_code == 400
    assert c.get("/evaluations/?hall=x").status_code == 400
    assert c.get("/api/v1/evaluations/report?group=planet").status_code == 400
    assert c.get("/api/v1/evaluations/report?month=20x").status_code == 400
    r = c.get("/api/v1/evaluations/report")
    assert r.status_code == 200 and r.json()["totals"]["valid"] == 9
    r = c.get("/api/v1/evaluations?flagged=true")
    assert r.status_code == 200 and len(r.json()) == 1 and r.json()[0]["exclusion"] == "pad_burst"
    assert c.get("/api/v1/evaluations/follow-ups?status=nope").status_code == 400
    assert Client().get("/api/v1/evaluations/report").status_code == 401


def test_sup_1_2_staff_session_cannot_submit_through_the_api(ev):
    t = finish(ev)
    c = Client()
    c.force_login(ev["clerk_a"])
    r = c.post("/api/v1/evaluations/pad", {"ticket_id": t.pk, "level": 5}, content_type="application/json")
    assert r.status_code == 403


def test_sup_1_2_kpi_parts_and_rows(ev, month):
    today = timezone.localdate()
    parts = list(kpi_sources.parts(day_from=today - timedelta(days=1), day_to=today))
    sat = [p for p in parts if p["kpi"] == "satisfaction" and p["hall_id"] == ev["hall_a"].pk]
    assert sum(p["numerator"] for p in sat) == 7 and sum(p["denominator"] for p in sat) == 9
    resp = [p for p in parts if p["kpi"] == "evaluation_response" and p["hall_id"] == ev["hall_a"].pk]
    assert sum(p["numerator"] for p in resp) == 10 and sum(p["denominator"] for p in resp) == 11
    assert all(p["source"] in kpi_sources.LABELS for p in parts)
    rows = kpi_sources.rows(source="evaluation", day_from=today, day_to=today, hall_ids=[ev["hall_a"].pk])
    assert sum(r["denominator"] for r in rows) == 9 and sum(r["numerator"] for r in rows) == 7
    assert any(r["note"] for r in rows)  # the excluded one says why
    assert kpi_sources.rows(source="other", day_from=today, day_to=today, hall_ids=[ev["hall_a"].pk]) == []
    assert EvaluationInvitation.objects.count() == 12


def test_sup2_evaluations_page_shows_the_kpi_figure_and_its_insufficient_marker(ev, month):
    """SUP-2 one rule, one place: 7 of 9 valid is below the minimum sample (30), so the evaluations page shows what
    the KPI dashboard shows for the same hall and month — 77.78 % with 样本不足 and the Wilson interval."""
    from kpi.rollup import rollup_range
    from kpi.selectors import month_figures, resolve_scope

    today = timezone.localdate()
    data = _figures(ev["manager_a"])
    fig = data["totals"]["figure"]
    assert fig.status == "insufficient" and round(fig.pct, 2) == 77.78 and fig.wilson
    rollup_range(day_from=today, day_to=today)
    scope = resolve_scope(ev["manager_a"], hall=ev["hall_a"].code)
    kpi_fig = month_figures(scope, today.replace(day=1))["satisfaction"]
    assert (kpi_fig.status, kpi_fig.pct, kpi_fig.wilson) == (fig.status, fig.pct, fig.wilson)
    c = Client()
    c.force_login(ev["manager_a"])
    marker = f"样本不足，95%区间 {fig.wilson[0]:.1f}%–{fig.wilson[1]:.1f}%"
    totals = c.get("/evaluations/").content.decode().split('id="ev-totals"')[1].split("</p>")[0]
    assert "77.78%" in totals and marker in totals
    dashboard = c.get(f"/kpi/?hall={ev['hall_a'].code}").content.decode()
    assert "77.78%" in dashboard and marker in dashboard
    api = c.get(f"/api/v1/evaluations/report?month={today:%Y-%m}").json()
    assert api["totals"]["figure"]["status"] == "insufficient"
    assert {r["satisfaction_status"] for r in api["rows"]} == {"insufficient"}
