"""Realtime event bus for hall screens (display, kiosk, boards). STUB — the floor helper replaces the body.

Contract (stable): ``publish(hall_id=..., kind=..., data=...)`` is called by domain services inside
``transaction.on_commit`` and returns immediately; subscribers (SSE views) receive events per hall with a
monotonically increasing id, and can replay events after a Last-Event-ID.
"""

from __future__ import annotations


def publish(*, hall_id: int, kind: str, data: dict) -> None:
    """Publish one event to every screen of a hall."""
    return None
