"""The service standard for the queue's hot path, memoised per process (SUP-3 semantics kept).

``standard_in_force(at=…)`` costs two queries (version + parameters) and was read on every call-next, start and
issue. Versions are few and append-only (a new one starts later than every published one), so each process keeps
all of them and picks the one in force at ``at`` itself: a version scheduled in advance takes over exactly at its
``effective_from``. The list is reloaded after ``TTL_SECONDS`` (a version published by another process is seen
within that time) and at once when this process saves or deletes a version or parameter (after commit too, so a
concurrent reader cannot keep a pre-commit list: lib.memo).
"""

from __future__ import annotations

from datetime import datetime

from lib.memo import Memo
from standard.services import Standard, standard_in_force

TTL_SECONDS = 10.0

_memo = Memo(
    "queueing.standard",
    ttl=TTL_SECONDS,
    maxsize=1,
    models=("standard.StandardVersion", "standard.StandardParameter"),
)


def _load() -> list[tuple[datetime, Standard]]:
    from standard.models import StandardVersion

    rows = StandardVersion.objects.order_by("-effective_from").prefetch_related("parameters")
    return [(v.effective_from, Standard(v, v.values())) for v in rows]


def standard_at(at: datetime) -> Standard:
    """The version in force at ``at`` (same answer as ``standard_in_force``, which also raises when none is)."""
    for effective_from, standard in _memo.get(None, _load):
        if effective_from <= at:
            return standard
    return standard_in_force(at=at)


def clear(**_kwargs) -> None:
    """Forget the memo now and again once the writing transaction commits."""
    _memo.forget()
