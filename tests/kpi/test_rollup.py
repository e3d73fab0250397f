"""SUP-2 rollups: totals equal a direct count over the raw rows (both databases), recompute is idempotent and
replaces a day, late data is picked up by the nightly recheck window or by marking a day dirty."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import Count, Q, Sum

from complaints.models import Complaint, ComplaintEvent, EventKind
from kpi.models import DailyRollup, RollupDay
from kpi.rollup import kpi_days_mark_dirty, kpi_rollup_sweep, rollup_range
from kpi.selectors import Scope, month_figures
from queueing.models import Ticket
from tests.kpi.conftest import sh
from tests.kpi.seed import seed_month

NOV = date(2026, 11, 1)


def _sum(qs):
    agg = qs.aggregate(n=Sum("numerator"), d=Sum("denominator"))
    return [agg["n"] or 0, agg["d"] or 0]


@pytest.mark.django_db
def test_sup2_rollup_totals_equal_raw_count_for_a_seeded_month(world, time_machine):
    time_machine.move_to(sh(2026, 12, 20, 12, 0), tick=False)  # every complaint window has closed
    seed_month(world, NOV)
    rollup_range(day_from=NOV, day_to=date(2026, 11, 30))
    raw_tickets = Ticket.objects.filter(service_date__month=11, within_limit__isnull=False)
    for clerk in (world["clerk_a"], world["supervisor_a"], world["clerk_b"]):
        mine = raw_tickets.filter(clerk=clerk).aggregate(
            n=Count("pk", filter=Q(within_limit=True)), d=Count("pk")
        )
        assert _sum(DailyRollup.objects.filter(kpi="on_time", clerk=clerk)) == [mine["n"], mine["d"]]
    for hall in (world["hall_a"], world["hall_b"]):
        complaints = Complaint.objects.filter(hall=hall)
        reopened = set(
            ComplaintEvent.objects.filter(kind=EventKind.REOPENED).values_list("complaint_id", flat=True)
        )
        notified = set(
            ComplaintEvent.objects.filter(kind=EventKind.NOTIFIED).values_list("complaint_id", flat=True)
        )
        resolved = sum(1 for c in complaints if c.pk in notified and c.pk not in reopened)
        rolled = DailyRollup.objects.filter(kpi="complaint_resolution", hall=hall)
        assert _sum(rolled) == [resolved, complaints.count()]
        assert rolled.aggregate(p=Sum("pending"))["p"] == complaints.exclude(pk__in=notified).count()
    # the month report reads the rollups and pools them
    fig = month_figures(Scope("hall", hall_ids=[world["hall_a"].pk]), NOV)["on_time"]
    raw = raw_tickets.filter(hall=world["hall_a"])
    assert (fig.numerator, fig.denominator) == (raw.filter(within_limit=True).count(), raw.count())

    # idempotent: running it again gives the same rows
    def snapshot():
        rows = DailyRollup.objects.values_list(
            "day", "hall_id", "clerk_id", "kpi", "numerator", "denominator"
        )
        return sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))

    before = snapshot()
    rollup_range(day_from=NOV, day_to=date(2026, 11, 30))
    after = snapshot()
    assert before == after


@pytest.mark.django_db
def test_sup2_sweep_computes_yesterday_once_and_recomputes_late_data(world, time_machine):
    seed_month(world, NOV, per_day=3)
    time_machine.move_to(sh(2026, 11, 21, 1, 0), tick=False)
    first = kpi_rollup_sweep()
    assert first["recomputed"] == 7  # yesterday and the recheck window (kpi.rollup_recheck_days = 7)
    assert kpi_rollup_sweep() == {"marked": 0, "recomputed": 0, "flags": 0}  # the next pass has nothing to do
    day = date(2026, 11, 15)
    before = _sum(DailyRollup.objects.filter(day=day, kpi="on_time"))
    # late data: a ticket of the 15th corrected (e.g. its finish recorded late) → counted after a recompute
    t = (
        Ticket.objects.filter(service_date=day, within_limit=False).first()
        or Ticket.objects.filter(service_date=day, within_limit=True).first()
    )
    was = t.within_limit
    Ticket.objects.filter(pk=t.pk).update(within_limit=not was)
    assert (
        _sum(DailyRollup.objects.filter(day=day, kpi="on_time")) == before
    )  # rollups untouched until recompute
    # the next night's pass re-runs the window, which includes the 15th
    time_machine.move_to(sh(2026, 11, 22, 1, 0), tick=False)
    kpi_rollup_sweep()
    after = _sum(DailyRollup.objects.filter(day=day, kpi="on_time"))
    assert after[1] == before[1] and after[0] == before[0] + (1 if not was else -1)
    # an older day is recomputed when marked dirty
    old = date(2026, 11, 2)
    assert not DailyRollup.objects.filter(day=old).exists()
    kpi_days_mark_dirty(day_from=old, day_to=old)
    kpi_rollup_sweep()
    assert RollupDay.objects.get(day=old).dirty is False
    raw = Ticket.objects.filter(service_date=old, within_limit__isnull=False)
    assert _sum(DailyRollup.objects.filter(day=old, kpi="on_time")) == [
        raw.filter(within_limit=True).count(),
        raw.count(),
    ]


@pytest.mark.django_db
def test_sup2_rollup_day_replaces_rows_in_one_transaction(world, time_machine):
    time_machine.move_to(sh(2026, 11, 21, 1, 0), tick=False)
    seed_month(world, NOV, per_day=2)
    day = date(2026, 11, 3)
    rollup_range(day_from=day, day_to=day)
    n = DailyRollup.objects.filter(day=day).count()
    Ticket.objects.filter(service_date=day).delete()
    rollup_range(day_from=day, day_to=day)
    assert n and not DailyRollup.objects.filter(day=day, kpi="on_time").exists()
    assert DailyRollup.objects.filter(day=day + timedelta(days=1)).count() == 0


@pytest.mark.django_db
def test_sup2_month_rollup_is_the_sum_of_the_days_and_follows_a_recompute(world, time_machine):
    """SUP-2: the month rows the hall/region/chain reports read equal Σ of the daily rows, per hall, kpi and source,
    and a recomputed day (late data) rewrites them; a clerk's figure still reads the daily rows."""
    from kpi.models import MonthRollup

    time_machine.move_to(sh(2026, 12, 20, 12, 0), tick=False)
    seed_month(world, NOV)
    rollup_range(day_from=NOV, day_to=date(2026, 11, 30))

    def daily():
        return {
            (r["hall_id"], r["kpi"], r["source"]): [r["n"], r["d"], r["p"]]
            for r in DailyRollup.objects.values("hall_id", "kpi", "source")
            .annotate(n=Sum("numerator"), d=Sum("denominator"), p=Sum("pending"))
            .order_by()
        }

    def monthly():
        return {
            (m.hall_id, m.kpi, m.source): [m.numerator, m.denominator, m.pending]
            for m in MonthRollup.objects.filter(month=NOV)
        }

    assert monthly() == daily() and monthly()
    late = Ticket.objects.filter(service_date=date(2026, 11, 10), within_limit=True).first()
    Ticket.objects.filter(pk=late.pk).update(within_limit=False)
    before = month_figures(Scope("hall", hall_ids=[late.hall_id]), NOV)["on_time"].numerator
    rollup_range(day_from=date(2026, 11, 10), day_to=date(2026, 11, 10))
    assert monthly() == daily()
    assert month_figures(Scope("hall", hall_ids=[late.hall_id]), NOV)["on_time"].numerator == before - 1
    clerk = Scope("clerk", hall_ids=[late.hall_id], clerk_id=late.clerk_id)
    mine = Ticket.objects.filter(service_date__month=11, clerk_id=late.clerk_id, within_limit=True).count()
    assert month_figures(clerk, NOV)["on_time"].numerator == mine
