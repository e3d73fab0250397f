"""Simulated day through the real services: numbers gapless, estimated-wait MAE measured (docs/queueing.md)."""

from __future__ import annotations

from datetime import datetime, time

from django.core.management import call_command
from django.utils import timezone

from queueing.models import Ticket
from queueing.simulation import simulate_day


def test_simulated_morning_serves_customers_and_reports_mae(floor, capsys):
    at = timezone.make_aware(datetime.combine(timezone.localdate(), time(10, 0)))
    result = simulate_day(hall=floor["hall"], start=at, minutes=90, seed=3)
    assert result.issued > 20 and result.served > 10
    assert result.mae is not None and result.mae < 15
    for prefix in ("A", "B", "C"):
        seqs = sorted(Ticket.objects.filter(prefix=prefix).values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))
    print(f"MAE over {len(result.errors)} calls: {result.mae:.2f} min")


def test_simulate_command_runs(floor, capsys):
    call_command("simulate", hall=floor["hall"].code, minutes=20, start="10:00")
    assert "MAE" in capsys.readouterr().out
