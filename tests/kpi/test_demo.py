"""SUP-2/SUP-3 on `make run`: the demo halls have twelve months of history, so the trends show real content —
on-time and now satisfaction and the response rate for every closed month, not only the last two — idempotently."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from evaluations.models import Evaluation
from kpi.selectors import resolve_scope, trend
from kpi.web import previous_month

pytestmark = pytest.mark.django_db


def test_demo_gives_twelve_months_of_satisfaction_and_on_time():
    call_command("demo", "--quiet")
    n = Evaluation.objects.count()
    call_command("demo", "--quiet")
    assert Evaluation.objects.count() == n
    hq = get_user_model().objects.get(username="hq1")
    series = trend(resolve_scope(hq, hall=None, region=None, clerk=None), previous_month(), 12)
    for kpi in ("on_time", "satisfaction", "evaluation_response"):
        shown = [t["month"] for t in series if t["figures"][kpi].pct is not None]
        assert len(shown) >= 11, (kpi, shown)  # the first month may fall before v1's effective date
    satisfaction = [t["figures"]["satisfaction"].pct for t in series if t["figures"]["satisfaction"].pct]
    assert all(85 <= pct <= 99.5 for pct in satisfaction), satisfaction
