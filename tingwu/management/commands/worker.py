"""``manage.py worker``: the background loop — SLA sweep, notification outbox, Django tasks (django-tasks-db).

Every ``--interval`` seconds (default 30, at most 60 so that 1 h targets are warned on time) it runs one pass:
``sla_sweep()``, ``notification_drain()``, the appointment no-show sweep, then the queued Django tasks (in batch
mode, up to ``--task-limit``). At most once an hour per worker it also runs housekeeping: closing tickets left open
from earlier days (BIZ day close) and anonymising complaint files past their retention (CMP-3).
Several workers may run at once: the sweep locks clocks with SKIP LOCKED (PostgreSQL), the outbox claims rows with a
conditional UPDATE, django-tasks-db claims tasks with SKIP LOCKED. SIGTERM/SIGINT finish the current step and exit.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from tingwu.heap import freeze_start_up_heap

logger = logging.getLogger("tingwu.worker")
MAX_INTERVAL = 60
HOUSEKEEPING_EVERY = 3600  # seconds; housekeeping jobs are idempotent, so several workers may overlap


def run_tasks(*, limit: int, worker_id: str) -> int:
    """Run up to ``limit`` ready Django tasks from the database backend; 0 if tasks use another backend."""
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.management.commands.db_worker import Worker

    if not isinstance(task_backends["default"], DatabaseBackend):
        return 0
    from django_tasks_db.models import DBTaskResult

    if not DBTaskResult.objects.ready().exists():  # spare the task worker's start-up (and its log line)
        return 0
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=limit,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    worker.run()
    return worker._run_tasks


def close_stale_days(*, now=None) -> int:
    """Close tickets still open from an earlier service day, hall by hall (idempotent; safe with several workers)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from halls.models import Hall
    from queueing.models import Ticket, TicketStatus
    from queueing.services import queue_day_close

    now = now or timezone.now()
    today = timezone.localdate(now)
    end_of_yesterday = timezone.make_aware(datetime.combine(today - timedelta(days=1), time(23, 59, 59)))
    open_statuses = [TicketStatus.WAITING, TicketStatus.SUSPENDED, TicketStatus.NO_SHOW]
    hall_ids = (
        Ticket.objects.filter(service_date__lt=today, status__in=open_statuses)
        .values_list("hall_id", flat=True)
        .distinct()
    )
    return sum(
        queue_day_close(hall=hall, at=end_of_yesterday) for hall in Hall.objects.filter(pk__in=hall_ids)
    )


def run_housekeeping() -> dict:
    from complaints.archive import complaints_purge

    return {"stale_days": close_stale_days(), "purged": len(complaints_purge().numbers)}


def run_pass(*, task_limit: int = 50, worker_id: str = "tingwu-worker", housekeeping: bool = False) -> dict:
    """One pass of every periodic job; a failing job is logged and does not stop the others."""
    from complaints.hotspot_records import hotspot_sweep
    from evaluations.services import evaluation_sweep
    from facilities.services import facilities_sweep
    from inspections.services import inspection_sweep
    from kpi.rollup import kpi_rollup_sweep
    from notify.services import notification_drain
    from queueing.appointments import appointment_sweep
    from sla.services import sla_sweep
    from training.services import training_sweep

    result: dict = {}
    jobs = [
        ("sla", sla_sweep),
        ("training", training_sweep),
        ("notify", notification_drain),
        ("appointments", appointment_sweep),
        ("facilities", facilities_sweep),
        ("inspections", inspection_sweep),
        ("evaluations", evaluation_sweep),
        ("hotspots", hotspot_sweep),
        ("tasks", lambda: run_tasks(limit=task_limit, worker_id=worker_id)),
        ("kpi", kpi_rollup_sweep),  # last: it rolls up what the jobs above recorded
    ]
    if housekeeping:
        jobs.append(("housekeeping", run_housekeeping))
    for name, job in jobs:
        try:
            result[name] = job()
        except Exception:
            logger.exception("worker job %s failed", name)
            result[name] = "error"
        finally:
            close_old_connections()
    return result


class Command(BaseCommand):
    help = (
        "运行后台任务：服务时限巡检、通知发送、异步任务 / Run the SLA sweep, the outbox and background tasks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between passes (≤ 60)")
        parser.add_argument("--once", action="store_true", help="run one pass and exit")
        parser.add_argument("--task-limit", type=int, default=50, help="tasks to run per pass")

    def handle(self, *args, interval: float, once: bool, task_limit: int, **options):
        if not 0 < interval <= MAX_INTERVAL:
            raise CommandError(f"--interval must be in (0, {MAX_INTERVAL}]")
        worker_id = f"{socket.gethostname()}-{threading.get_ident()}"[:64]
        stop = threading.Event()

        def _stop(signum, frame):
            logger.info("worker received %s, stopping after the current step", signal.Signals(signum).name)
            stop.set()

        if not once and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
        last_housekeeping, frozen = None, False
        while True:
            started = time.monotonic()
            housekeeping = last_housekeeping is None or started - last_housekeeping >= HOUSEKEEPING_EVERY
            if housekeeping:
                last_housekeeping = started
            result = run_pass(task_limit=task_limit, worker_id=worker_id, housekeeping=housekeeping)
            self.stdout.write(f"worker pass: {result}")
            if not frozen:
                # The first pass imported what every pass needs: from now on a pass's full collections (the SLA
                # sweep allocates enough to trigger one) walk only what passes made, not Django's start-up heap.
                freeze_start_up_heap()
                frozen = True
            if once or stop.is_set():
                break
            stop.wait(max(0.0, interval - (time.monotonic() - started)))
            if stop.is_set():
                break
        self.stdout.write("worker stopped")
