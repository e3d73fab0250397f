"""The service standard for the queue's hot path, memoised per process (SUP-3 semantics kept).

``standard_in_force(at=…)`` costs two queries (version + parameters) and was read on every call-next, start and
issue. Versions are few and append-only (a new one starts later than every published one), so each process keeps
all of them and picks the one in force at ``at`` itself: a version scheduled in advance takes over exactly at its
``effective_from``. The list is reloaded after ``TTL_SECONDS`` (a version published by another process is seen
within that time) and at once when this process saves or deletes a version or parameter (after commit too, so a
concurrent reader cannot keep a pre-commit list).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from django.db import transaction

from standard.services import Standard, standard_in_force

TTL_SECONDS = 10.0

_lock = threading.Lock()
_memo: tuple[float, list[tuple[datetime, Standard]]] = (float("-inf"), [])


def _versions() -> list[tuple[datetime, Standard]]:
    global _memo
    loaded_at, versions = _memo
    if time.monotonic() - loaded_at < TTL_SECONDS:
        return versions
    from standard.models import StandardVersion

    with _lock:
        rows = StandardVersion.objects.order_by("-effective_from").prefetch_related("parameters")
        versions = [(v.effective_from, Standard(v, v.values())) for v in rows]
        _memo = (time.monotonic(), versions)
    return versions


def standard_at(at: datetime) -> Standard:
    """The version in force at ``at`` (same answer as ``standard_in_force``, which also raises when none is)."""
    for effective_from, standard in _versions():
        if effective_from <= at:
            return standard
    return standard_in_force(at=at)


def _reset() -> None:
    global _memo
    _memo = (float("-inf"), [])


def clear(**_kwargs) -> None:
    """Signal receiver: forget the memo now and again once the writing transaction commits."""
    _reset()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_reset)
