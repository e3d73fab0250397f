"""The ASGI entry point hides its start-up heap from the cyclic GC (tingwu/asgi.py, docs/performance.md): a full
collection over Django's ≈ 140,000 start-up objects paused the event loop for 60–65 ms, the tail of every request
in flight."""

from __future__ import annotations

import gc
import subprocess
import sys


def test_the_asgi_application_freezes_what_it_loaded_at_start_up():
    # A fresh interpreter: this test process has imported tingwu.asgi (and frozen) long before.
    code = (
        "import gc, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tingwu.settings');"
        "before = gc.get_freeze_count(); import tingwu.asgi;"
        "from django.urls import get_resolver;"
        "print(before, gc.get_freeze_count(), 'queueing.hotpath.ops' in __import__('sys').modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    before, frozen, hot_loaded = out.stdout.split()
    assert int(frozen) - int(before) > 50_000  # Django, the apps, the URL map and the API
    assert hot_loaded == "True"
    assert gc.isenabled()  # frozen, not switched off: garbage made by requests is still collected


def test_the_worker_freezes_its_heap_after_its_first_pass(db, monkeypatch):
    """Issue 14: the SLA sweep allocates enough to trigger full collections; unfrozen, each walked the worker's
    whole start-up heap (≈ 100 ms a collection in bench/records_bench.py)."""
    from io import StringIO

    from django.core.management import call_command

    from tingwu.management.commands import worker

    frozen = []
    monkeypatch.setattr(worker, "freeze_start_up_heap", lambda: frozen.append(True))
    call_command("worker", "--once", stdout=StringIO())
    assert frozen == [True]
