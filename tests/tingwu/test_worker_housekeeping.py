"""The worker's housekeeping: yesterday's leftover tickets are closed (day close), appointments past their grace
become no-shows, and complaint files past retention are anonymised (CMP-3) — all from one ``worker --once``."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from queueing.models import Ticket, TicketStatus
from queueing.services import ticket_issue
from tingwu.management.commands.worker import close_stale_days


@pytest.mark.django_db(transaction=True)
def test_close_stale_days_closes_only_earlier_days(world, time_machine):
    """BIZ day close: a ticket left waiting yesterday is closed with a reason; today's queue is untouched."""
    yesterday = timezone.now() - timedelta(days=1)
    time_machine.move_to(yesterday)
    old = ticket_issue(hall=world["hall_a"], business_type=world["basic"])
    time_machine.move_to(yesterday + timedelta(days=1))
    today = ticket_issue(hall=world["hall_a"], business_type=world["basic"])
    assert close_stale_days() == 1
    old.refresh_from_db()
    today.refresh_from_db()
    assert old.status == TicketStatus.CLOSED and old.closed_reason
    assert today.status == TicketStatus.WAITING
    assert close_stale_days() == 0  # idempotent


@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_housekeeping(world):
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    text = out.getvalue()
    assert "housekeeping" in text and "appointments" in text
    assert Ticket.objects.count() == 0
