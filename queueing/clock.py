"""The queue's notion of "now".

Services read the time through ``now()`` so that ``manage.py simulate`` can run a whole day of simulated time in
seconds (``simulated(at)``) without a test-only dependency; tests freeze time with time-machine as usual.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_override: ContextVar[datetime | None] = ContextVar("queueing_now", default=None)


def now() -> datetime:
    return _override.get() or timezone.now()


def is_simulated() -> bool:
    """True inside ``simulated()``: wall-clock memos (estimate inputs) must not serve a simulated day."""
    return _override.get() is not None


@contextmanager
def simulated(at: datetime):
    token = _override.set(at)
    try:
        yield
    finally:
        _override.reset(token)


def set_simulated(at: datetime | None) -> None:
    """For long simulation loops in one thread: move the simulated clock (``None`` returns to real time)."""
    _override.set(at)
