"""SUP-2 the manager's dashboard at chain scale (issue 13): its query count does not grow with the clerks, the
months of history or the halls, and the month / previous month / trend it reads from the one trend query are the
figures ``month_figures`` gives (the pooled Σ B ÷ Σ A and "no data" unchanged)."""

from __future__ import annotations

from datetime import date

import pytest

from kpi.rollup import rollup_range
from kpi.selectors import Scope, month_figures, recent_figures, resolve_scope, trend
from tests.conftest import login
from tests.kpi.conftest import sh
from tests.kpi.seed import seed_month

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
# The dashboard of one hall: session, user and profile; the hall; the trend (month rollups, 12 months); the clerks'
# daily rows, their users and halls; the filter's halls and regions (with the viewer's halls).
HALL_QUERIES = 11
REGION_QUERIES = (
    12  # the region and its halls instead of the hall; the halls' daily rows instead of the clerks'
)


@pytest.fixture
def one_month(world, time_machine):
    time_machine.move_to(sh(2026, 12, 20, 10, 0), tick=False)
    seed_month(world, NOV)
    rollup_range(day_from=NOV, day_to=date(2026, 11, 30))
    return world


def _as_tuples(figs: dict) -> dict:
    return {c: (f.numerator, f.denominator, f.pct, f.status, f.wilson, f.pending) for c, f in figs.items()}


@pytest.mark.django_db
def test_sup2_dashboard_query_count_does_not_grow_with_history(
    one_month, client, django_assert_max_num_queries
):
    w = one_month
    login(client, w["manager_a"])
    client.get("/kpi/?month=2026-11")  # the standard memo warmed, as on a live process
    with django_assert_max_num_queries(HALL_QUERIES) as ctx:
        assert client.get("/kpi/?month=2026-11").status_code == 200
    one = len(ctx.captured_queries)
    seed_month(w, OCT, seed=11, per_day=9)
    rollup_range(day_from=OCT, day_to=date(2026, 10, 31))
    client.get("/kpi/?month=2026-11")
    with django_assert_max_num_queries(one) as ctx:
        body = client.get("/kpi/?month=2026-11").content.decode()
    assert 'id="clerk-table"' in body and "2026-10" in body
    login(client, w["inspector"])
    client.get(f"/kpi/?month=2026-11&region={w['region'].code}")
    with django_assert_max_num_queries(REGION_QUERIES):
        assert client.get(f"/kpi/?month=2026-11&region={w['region'].code}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who,params", [("manager_a", {}), ("inspector", {"region": "R1"}), ("hq", {})])
def test_sup2_recent_figures_equal_month_figures_and_trend(one_month, who, params):
    w = one_month
    params = {"region": w["region"].code} if params else {}
    scope = resolve_scope(w[who], **params)
    figures, previous, series = recent_figures(scope, NOV, 12)
    assert _as_tuples(figures) == _as_tuples(month_figures(scope, NOV))
    assert _as_tuples(previous) == _as_tuples(month_figures(scope, OCT))
    assert previous["on_time"].status == "no_data" and previous["on_time"].pct is None  # never 0 %
    assert [t["month"] for t in series] == [t["month"] for t in trend(scope, NOV, 12)]
    assert [_as_tuples(t["figures"]) for t in series] == [
        _as_tuples(t["figures"]) for t in trend(scope, NOV, 12)
    ]


@pytest.mark.django_db
def test_sup2_recent_figures_of_a_clerk_read_the_daily_rows(one_month):
    w = one_month
    scope = Scope("clerk", hall_ids=[w["hall_a"].pk], clerk_id=w["clerk_a"].pk)
    figures, previous, series = recent_figures(scope, NOV, 12)
    assert _as_tuples(figures) == _as_tuples(month_figures(scope, NOV))
    assert figures["on_time"].denominator > 0 and len(series) == 12


@pytest.mark.parametrize(
    "pct,den,status", [(97.125, 12.0, "met"), (None, 0, "no_data"), (33.333333, 3.0, "below")]
)
def test_sup2_kpi_cells_read_as_the_per_cell_template_did(pct, den, status):
    """The dashboard tables' one tag per row renders byte for byte what the loop of conditions and filters did."""
    from django.template import Context, Template

    from kpi.definitions import Figure

    figs = [
        Figure("on_time", 1, den, pct, 98.0, 30.0, status),
        Figure("satisfaction", 0, 0, None, 95.0, 30.0, "no_data"),
    ]
    old = Template(
        '{% for fig in figs %}<td class="{{ fig.status }}">{% if fig.pct is None %}{{ fig.status_label }}{% else %}'
        '{{ fig.pct|floatformat:2 }}%{% endif %} <span class="muted">n={{ fig.denominator|floatformat:"-1" }}</span>'
        "</td>{% endfor %}"
    ).render(Context({"figs": figs}))
    new = Template("{% load kpi_tags %}{% kpi_cells figs %}").render(Context({"figs": figs}))
    assert new == old
