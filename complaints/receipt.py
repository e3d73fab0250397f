"""The 《投诉受理回执》 (CMP-1): what the customer is promised, computed from the running clocks."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import clocks
from complaints.models import Complaint, Kind
from sla.models import Target


def _deadline(all_clocks, target, started_at):
    clock = clocks.latest(all_clocks, target)
    if clock is not None:
        return clock.deadline
    return clocks.fallback_deadline(target=target, started_at=started_at)


def complaint_receipt_data(*, complaint: Complaint) -> dict:
    """Number, acceptance time, channel, masked summary, the two promised deadlines and the hall's contacts."""
    from complaints.services import solution_target

    all_clocks = clocks.clocks_for(complaint)
    hall = complaint.hall
    contact = _deadline(all_clocks, Target.COMPLAINT_FIRST_CONTACT, complaint.accepted_at)
    feedback = _deadline(all_clocks, solution_target(complaint.kind), complaint.accepted_at)
    if complaint.kind == Kind.COMPLEX:
        feedback_label = _("处理进度反馈时限（复杂投诉，成立专项小组）")
    else:
        feedback_label = _("处理结果反馈时限（一般投诉）")
    return {
        "number": complaint.number,
        "hall_name": hall.name,
        "hall_address": hall.address,
        "accepted_at": timezone.localtime(complaint.accepted_at),
        "channel": complaint.get_channel_display(),
        "business_type": complaint.business_type.label,
        "kind": complaint.get_kind_display(),
        "complainant": complaint.masked_name,
        "phone": complaint.masked_phone,
        "summary": complaint.summary,
        "contact_deadline": timezone.localtime(contact),
        "feedback_deadline": timezone.localtime(feedback),
        "feedback_label": feedback_label,
        "complaint_phone": hall.complaint_phone,
        "complaint_wecom": hall.complaint_wecom,
        "complaint_window": hall.complaint_window,
    }
