"""SUP-2 definitions: B ÷ A, pooling, no data, insufficient samples with a Wilson interval, the three-month count."""

from __future__ import annotations

import pytest

from kpi.definitions import Part, Status, counts_as_below, figure, parse_month, wilson
from lib.errors import ServiceError

STD = {
    "kpi.on_time_pct": 98,
    "kpi.on_time_min_sample": 30,
    "kpi.satisfaction_pct": 95,
    "kpi.satisfaction_min_sample": 30,
    "kpi.compliance_pct": 95,
    "kpi.compliance_min_sample": 20,
    "kpi.compliance_weight_self_inspection": 0.3,
    "kpi.compliance_weight_mystery_visit": 0.3,
    "kpi.compliance_weight_appearance_check": 0.2,
    "kpi.compliance_weight_environment": 0.2,
    "kpi.complaint_resolution_pct": 99,
    "kpi.complaint_resolution_min_sample": 5,
}


def test_sup2_no_source_is_no_data_never_zero_or_hundred():
    fig = figure("satisfaction", [], STD)
    assert fig.status == Status.NO_DATA and fig.pct is None and fig.met is None
    fig = figure("compliance", [Part("self_inspection", 0, 0)], STD)
    assert fig.status == Status.NO_DATA and fig.pct is None


def test_sup2_pooling_is_sum_over_sum_not_average_of_percentages():
    """Clerk 1: 10/10 = 100 %; clerk 2: 90/100 = 90 %. Naive mean 95 % (would pass 95), pooled 100/110 = 90.9 %."""
    pooled = figure("on_time", [Part("ticket", 10 + 90, 10 + 100)], STD)
    naive = (100.0 + 90.0) / 2
    assert round(pooled.pct, 2) == 90.91 and naive == 95.0
    assert pooled.status == Status.BELOW


def test_sup2_on_time_parts_combined_by_sums():
    fig = figure("on_time", [Part("ticket", 49, 50), Part("consultation", 9, 10)], STD)
    assert fig.numerator == 58 and fig.denominator == 60
    assert [p.pct for p in fig.parts] == [98.0, 90.0]
    assert round(fig.pct, 3) == round(100 * 58 / 60, 3) and fig.status == Status.BELOW


def test_sup2_insufficient_sample_has_wilson_interval():
    fig = figure("on_time", [Part("ticket", 9, 10)], STD)
    assert fig.status == Status.INSUFFICIENT and fig.met is None
    low, high = fig.wilson
    assert round(low, 1) == 59.6 and round(high, 1) == 98.2  # scipy's Wilson score interval for 9/10
    assert wilson(0, 0) is None


def test_sup2_compliance_weights_from_the_standard_over_sources_with_data():
    parts = [
        Part("self_inspection", 90, 100),  # 90 %
        Part("mystery_visit", 40, 40),  # 100 %
        Part("environment", 0, 0),  # no rounds due: not in the weighting
    ]
    fig = figure("compliance", parts, STD)
    assert round(fig.pct, 4) == round((0.3 * 90 + 0.3 * 100) / 0.6, 4)
    assert fig.status == Status.MET


def test_sup2_three_month_count_of_an_insufficient_month():
    below = figure("on_time", [Part("ticket", 90, 100)], STD)
    unsure = figure("on_time", [Part("ticket", 9, 10)], STD)  # Wilson top 98.2 ≥ 98: not certainly below
    surely = figure("on_time", [Part("ticket", 2, 10)], STD)  # Wilson top < 98
    assert counts_as_below(below) and not counts_as_below(unsure) and counts_as_below(surely)
    assert not counts_as_below(figure("on_time", [], STD))


@pytest.mark.parametrize("bad", ["2026-13", "x", "", "2026"])
def test_bad_month_is_an_error(bad):
    with pytest.raises(ServiceError) as e:
        parse_month(bad)
    assert e.value.code == "invalid_month"


def test_sup2_complaints_all_still_open_is_no_result_yet_not_zero():
    """SUP-2: a month whose 4 complaints are all still open is 尚无定论 (no result yet), not 0.00 %; it is neither met
    nor below and does not count for the three-month rule."""
    fig = figure("complaint_resolution", [Part("complaint", 0, 4, 4)], STD)
    assert fig.status == Status.NO_RESULT and fig.pct is None and fig.met is None
    assert str(fig.status_label) == "尚无定论" and fig.pending == 4
    assert not counts_as_below(fig) and fig.as_dict()["pct"] is None


def test_sup2_complaints_partly_open_is_a_provisional_figure():
    """SUP-2: 6 of 8 resolved, 2 still open → 75 %, judged, marked provisional until they are settled."""
    fig = figure("complaint_resolution", [Part("complaint", 6, 8, 2)], STD)
    assert fig.pct == 75.0 and fig.status == Status.BELOW and fig.provisional
    assert fig.as_dict()["provisional"] is True
    settled = figure("complaint_resolution", [Part("complaint", 8, 8, 0)], STD)
    assert settled.status == Status.MET and not settled.provisional
