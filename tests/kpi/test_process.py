"""SUP-3 quarterly process optimisation: a recorded change with handling time, on-time rate and wait before/after."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from kpi.definitions import SHANGHAI
from queueing.models import Ticket, TicketStatus
from tests.conftest import login
from tests.kpi.conftest import sh


def _ticket(world, day: date, n: int, *, minutes: int, wait: int, within: bool):
    at = datetime.combine(day, time(9, 0), tzinfo=SHANGHAI) + timedelta(minutes=n)
    Ticket.objects.create(
        hall=world["hall_a"],
        business_type=world["basic"],
        service_date=day,
        prefix="A",
        seq=n,
        number=f"A{n:03d}",
        status=TicketStatus.DONE,
        issued_at=at,
        arrival_at=at,
        first_called_at=at + timedelta(minutes=wait),
        started_at=at + timedelta(minutes=wait),
        finished_at=at + timedelta(minutes=wait + minutes),
        limit_minutes=15,
        within_limit=within,
        clock_mode="start",
    )


@pytest.mark.django_db
def test_sup3_process_change_before_after(world, client, time_machine):
    time_machine.move_to(sh(2026, 11, 30, 10, 0), tick=False)
    for i in range(4):  # before: 20 min handling (late), 12 min wait
        _ticket(world, date(2026, 11, 1) + timedelta(days=i), 1, minutes=20, wait=12, within=False)
    for i in range(4):  # after: 10 min, on time, 6 min wait
        _ticket(world, date(2026, 11, 10) + timedelta(days=i), 1, minutes=10, wait=6, within=True)
    login(client, world["manager_a"])
    made = client.post(
        "/api/v1/kpi/process-changes",
        {
            "hall": "HA",
            "business_type": "PLAN",
            "effective_on": "2026-11-10",
            "description": "材料由两项减为一项",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["quarter"] == "2026-Q4"
    assert body["before"] == {
        "handled": 4,
        "on_time_pct": 0.0,
        "avg_handling_minutes": 20.0,
        "avg_wait_minutes": 12.0,
    }
    assert body["after"] == {
        "handled": 4,
        "on_time_pct": 100.0,
        "avg_handling_minutes": 10.0,
        "avg_wait_minutes": 6.0,
    }
    page = client.get("/kpi/process/")
    assert page.status_code == 200 and "材料由两项减为一项" in page.content.decode()
    bad = client.post(
        "/api/v1/kpi/process-changes",
        {"hall": "HA", "business_type": "NOPE", "effective_on": "2026-11-10", "description": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    login(client, world["clerk_a"])
    assert (
        client.post(
            "/api/v1/kpi/process-changes",
            {"hall": "HA", "business_type": "PLAN", "effective_on": "2026-11-10", "description": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )
