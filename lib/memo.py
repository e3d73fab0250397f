"""One per-process memo for slow-moving rows (issue 9 §3): a time-to-live, a size cap, and forgotten when the rows
it was computed from change.

Each memo is named, lives ``ttl`` seconds per entry and holds at most ``maxsize`` entries (the oldest goes first).
``models`` names the models whose rows it was read from (``"app_label.Model"`` or the class, through models
included): a save or delete of one of them forgets the memo in this process at once and again once the writing
transaction commits, so a reader running meanwhile cannot keep a pre-commit value. Other processes see a change
within the TTL — which is why each caller's TTL is a few seconds. ``scope`` narrows what a change forgets:
``scope(instance)`` returns a predicate over keys (or ``None``: everything).

``forget_all()`` clears every memo (tests call it between tests: a memo must not outlive its database).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

_MISSING = object()
_registry: list[Memo] = []


class Memo:
    def __init__(
        self,
        name: str,
        *,
        ttl: float,
        maxsize: int = 1024,
        models: Iterable[str | type] = (),
        scope: Callable[[Any], Callable[[Hashable], bool] | None] | None = None,
    ) -> None:
        self.name, self.ttl, self.maxsize, self.scope = name, ttl, maxsize, scope
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        for model in models:
            self._connect(model)
        _registry.append(self)

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The value for ``key``, loaded by ``load()`` when absent or older than the TTL."""
        hit = self._entries.get(key, _MISSING)
        if hit is not _MISSING and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        value = load()
        with self._lock:
            while len(self._entries) >= self.maxsize:
                self._entries.pop(next(iter(self._entries)), None)
            self._entries[key] = (time.monotonic(), value)
        return value

    def forget(self, where: Callable[[Hashable], bool] | None = None) -> None:
        """Forget the entries whose key ``where`` accepts (all by default), now and after the current commit."""

        def drop() -> None:
            with self._lock:
                if where is None:
                    self._entries.clear()
                else:
                    for key in [k for k in self._entries if where(k)]:
                        self._entries.pop(key, None)

        drop()
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(drop)

    def clear(self) -> None:
        """Forget everything now (no commit hook: for tests and process start)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _changed(self, sender=None, instance=None, **_kwargs) -> None:
        where = self.scope(instance) if self.scope is not None and instance is not None else None
        self.forget(where)

    def _connect(self, model: str | type) -> None:
        label = model if isinstance(model, str) else model._meta.label
        for signal in (post_save, post_delete, m2m_changed):
            # A string sender is resolved once the model is registered (ModelSignal's lazy senders).
            signal.connect(self._changed, sender=model, weak=False, dispatch_uid=f"memo:{self.name}:{label}")


def forget_all() -> None:
    """Clear every memo of the process."""
    for memo in _registry:
        memo.clear()
