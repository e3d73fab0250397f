"""Complaint workflow (CMP-1, CMP-2.1, CMP-2.2, CMP-3). Pages, API and CLI call these functions only.

accepted → contacted (meets the 2 h clock) → [complex: task force, progress reports each meeting the current 72 h
clock and starting the next] → solved (CMP-2.2 principles enforced) → notified in writing or by SMS (meets the
solution / progress clock) → closed with the customer's response → may be reopened (new clocks).
"""

from __future__ import annotations

from complaints.services._common import TOKEN_CHANNELS, solution_target
from complaints.services.intake import complaint_add_evidence, complaint_intake
from complaints.services.records import (
    REVEAL_CHOICES,
    complaint_annotate,
    complaint_reveal,
    complaint_update_details,
)
from complaints.services.workflow import (
    SOLUTION_MAX,
    complaint_classify,
    complaint_close,
    complaint_contact,
    complaint_notify,
    complaint_progress,
    complaint_reopen,
    complaint_solve,
    complaint_task_force,
)

__all__ = [
    "REVEAL_CHOICES",
    "SOLUTION_MAX",
    "TOKEN_CHANNELS",
    "complaint_add_evidence",
    "complaint_annotate",
    "complaint_classify",
    "complaint_close",
    "complaint_contact",
    "complaint_intake",
    "complaint_notify",
    "complaint_progress",
    "complaint_reopen",
    "complaint_reveal",
    "complaint_solve",
    "complaint_task_force",
    "complaint_update_details",
    "solution_target",
]
