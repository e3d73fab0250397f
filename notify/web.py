"""Who may read the outbox: hall managers, inspectors, HQ and auditors (recipients are shown masked only)."""

from __future__ import annotations

from staff.access import require

OUTBOX_CAPABILITY = "notify.view"


def require_outbox(user, hall=None) -> None:
    """A hall the user cannot see is a 404 (no existence leak), a missing right a 403."""
    require(user, OUTBOX_CAPABILITY, hall)
