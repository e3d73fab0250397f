"""Queue API under /api/v1/queue/ (issue 3 §8): kiosk, counter, display feed, greeter, supervisor, appointments.

Devices authenticate with a hall-bound token (kiosk, display, APP, WeCom) and only ever reach their own hall; staff
use their session and reach the halls of their roles. Every action calls the same service as the pages.
"""

from __future__ import annotations

from queueing.api import desk, devices  # noqa: F401  registers the routes
from queueing.api._common import router, ticket_out

__all__ = ["router", "ticket_out"]
