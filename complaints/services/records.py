"""The file itself: notes (the one change a closed file accepts), corrections, the audited reveal."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from casework.services import case_reveal
from complaints.models import (
    Complaint,
    ComplaintNote,
)
from complaints.services._common import (
    _clean,
    _require_open,
    _transition,
)
from lib.errors import Conflict
from staff.access import require


@transaction.atomic
def complaint_annotate(*, complaint: Complaint, actor, text: str) -> ComplaintNote:
    """CMP-3: notes are the one thing a closed file accepts."""
    require(actor, "complaint.handle", complaint.hall)
    text = _clean(text, "note_required", _("请填写备注内容"), "text", min_len=2, max_len=2000)
    return ComplaintNote.objects.create(
        complaint=complaint, hall_id=complaint.hall_id, author=actor, text=text
    )


@transaction.atomic
def complaint_update_details(
    *, complaint: Complaint, actor, demand: str | None = None, business_type=None, related_reference=None
) -> Complaint:
    """Correct intake details while the file is open; a closed file refuses (CMP-3 archive lock)."""
    require(actor, "complaint.handle", complaint.hall)
    _require_open(complaint)
    fields = {}
    if demand is not None:
        fields["demand"] = _clean(
            demand, "demand_required", _("请填写投诉诉求（至少5个字）"), "demand", min_len=5
        )
    if business_type is not None:
        fields["business_type"] = business_type
    if related_reference is not None:
        fields["related_reference"] = related_reference.strip()[:64]
    return _transition(complaint, [complaint.status], complaint.status, **fields)


REVEAL_CHOICES = [("contact_phone", _("联系电话")), ("complainant_name", _("投诉人姓名"))]


def complaint_reveal(
    *, complaint: Complaint, actor, field: str, reason: str, ip_address: str | None = None
) -> str:
    """CMP-2.1: the duty supervisor must call the complainant back within 2 h, so the full phone / name may be shown
    once to a holder of ``pi.reveal`` in that hall, with a reason; every reveal is an audit row (PIAccessLog)."""
    require(actor, "pi.reveal", complaint.hall)
    if complaint.anonymised_at is not None:
        raise Conflict("complaint_anonymised", _("该档案的个人信息已匿名化"))
    return case_reveal(case=complaint, actor=actor, field=field, reason=reason, ip_address=ip_address)
