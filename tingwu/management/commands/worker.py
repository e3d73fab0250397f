"""``manage.py worker``: the background loop — SLA sweep, notification outbox, Django tasks (django-tasks-db).

Every ``--interval`` seconds (default 30, at most 60 so that 1 h targets are warned on time) it runs one pass:
``sla_sweep()``, ``notification_drain()``, then the queued Django tasks (in batch mode, up to ``--task-limit``).
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

logger = logging.getLogger("tingwu.worker")
MAX_INTERVAL = 60


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


def run_pass(*, task_limit: int = 50, worker_id: str = "tingwu-worker") -> dict:
    """One pass of every periodic job; a failing job is logged and does not stop the others."""
    from notify.services import notification_drain
    from sla.services import sla_sweep

    result: dict = {}
    for name, job in (
        ("sla", sla_sweep),
        ("notify", notification_drain),
        ("tasks", lambda: run_tasks(limit=task_limit, worker_id=worker_id)),
    ):
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
        "运行后台任务:服务时限巡检、通知发送、异步任务 / Run the SLA sweep, the outbox and background tasks."
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
        while True:
            started = time.monotonic()
            result = run_pass(task_limit=task_limit, worker_id=worker_id)
            self.stdout.write(f"worker pass: {result}")
            if once or stop.is_set():
                break
            stop.wait(max(0.0, interval - (time.monotonic() - started)))
            if stop.is_set():
                break
        self.stdout.write("worker stopped")
