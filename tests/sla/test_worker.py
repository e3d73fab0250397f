"""``manage.py worker``: one pass runs the sweep, the outbox and the Django tasks; SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from notify.models import Notification, NotificationStatus
from notify.services import notification_enqueue
from sla.models import ClockEvent, EventKind, Target
from sla.services import clock_start

ROOT = Path(__file__).resolve().parents[2]
CTX = {"hall_name": "甲", "subject": "TS-1", "target": "t", "deadline": timezone.now()}


# transaction=True: the worker closes stale connections between jobs, as it must in production.
@pytest.mark.django_db(transaction=True)
def test_worker_once_sweeps_and_drains(world):
    start = timezone.now() - timedelta(hours=5)
    clock_start(
        subject=world["hall_b"], target=Target.COMPLAINT_FIRST_CONTACT, hall=world["hall_a"], started_at=start
    )
    receipt = notification_enqueue(
        hall=world["hall_a"],
        channel="wecom",
        recipient="default",
        template="sla_breach",
        context=CTX,
        dedupe_key="r",
    )
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "worker pass" in out.getvalue()
    assert (
        ClockEvent.objects.filter(kind=EventKind.ESCALATED).count() == 3
    )  # 3 h past the deadline: every rung, once
    assert Notification.objects.filter(dedupe_key__startswith="sla:").count() == 3
    receipt.refresh_from_db()
    assert receipt.status == NotificationStatus.SENT


@pytest.mark.django_db
def test_worker_rejects_an_interval_too_coarse_for_one_hour_targets():
    with pytest.raises(CommandError):
        call_command("worker", "--once", "--interval", "3600")


@pytest.mark.django_db(transaction=True)
def test_enqueue_schedules_a_task_that_the_worker_runs(world):
    from django_tasks_db.models import DBTaskResult

    from tingwu.management.commands.worker import run_tasks

    n = notification_enqueue(  # autocommit: the on_commit hook runs at once
        hall=world["hall_a"],
        channel="wecom",
        recipient="default",
        template="sla_breach",
        context=CTX,
        dedupe_key="t1",
    )
    assert DBTaskResult.objects.count() == 1
    assert run_tasks(limit=10, worker_id="test") == 1
    n.refresh_from_db()
    assert n.status == NotificationStatus.SENT


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_worker_process_stops_gracefully_on_sigterm(world):
    env = os.environ | {"DATABASE_URL": _database_url(), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        line = ""
        while time.monotonic() < deadline and "worker pass" not in line:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
        assert "worker pass" in line
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "worker stopped" in out
