"""Facilities workflows (ENV-1 … ENV-4, STF-3.2). Pages, API and CLI call these; see docs/facilities.md."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from facilities.services.cleaning import cleaning_sweep, round_complete, rounds_generate, sheet_sign
from facilities.services.faults import (
    MAINTENANCE_NOTICE,
    fault_confirm,
    fault_dismiss,
    fault_report,
    fault_resolve,
    fault_start_repair,
    fault_suspect_sweep,
    guide_for,
    guide_release,
)
from facilities.services.maintenance import maintenance_sweep, occurrence_complete, plan_create, plan_update
from facilities.services.registry import facility_register, facility_retire, facility_update

__all__ = [
    "MAINTENANCE_NOTICE",
    "cleaning_sweep",
    "facilities_sweep",
    "facility_register",
    "facility_retire",
    "facility_update",
    "fault_confirm",
    "fault_dismiss",
    "fault_report",
    "fault_resolve",
    "fault_start_repair",
    "fault_suspect_sweep",
    "guide_for",
    "guide_release",
    "maintenance_sweep",
    "occurrence_complete",
    "plan_create",
    "plan_update",
    "round_complete",
    "rounds_generate",
    "sheet_sign",
]


def facilities_sweep(*, now: datetime | None = None) -> dict:
    """The worker's one job for this app: maintenance occurrences, silent devices, cleaning rounds."""
    now = now or timezone.now()
    return {
        "maintenance": maintenance_sweep(now=now),
        "devices": fault_suspect_sweep(now=now),
        "cleaning": cleaning_sweep(now=now),
    }
