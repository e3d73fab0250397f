"""What every complaint step shares: the timeline event, the conditional status change, the open-file lock."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from casework.services import TOKEN_KINDS, clean_text, transition
from complaints.models import Channel, Complaint, Kind, Status
from lib.errors import Conflict
from sla.models import Target

TOKEN_CHANNELS = {kind: Channel(kind) for kind in TOKEN_KINDS}
_clean = clean_text


def solution_target(kind: str) -> str:
    return Target.COMPLAINT_COMPLEX_PROGRESS if kind == Kind.COMPLEX else Target.COMPLAINT_GENERAL_SOLUTION


def _transition(complaint: Complaint, from_statuses, to: str, **fields) -> Complaint:
    """Conditional UPDATE: 0 rows means someone else moved the file first.

    A write that keeps the status passes ``[complaint.status]`` (the status the caller read), never "any open
    status": otherwise a stale copy would put back a status another request has already left."""
    return transition(
        complaint,
        from_statuses,
        to,
        conflict_code="complaint_state",
        message=_("投诉状态已变化，请刷新后重试"),
        **fields,
    )


def _require_open(complaint: Complaint) -> None:
    if complaint.status == Status.CLOSED:
        raise Conflict("complaint_closed", _("已结案的投诉档案不可修改，只能添加备注"))
