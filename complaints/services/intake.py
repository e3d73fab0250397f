"""CMP-1: intake on every channel, with evidence checked before anything is written."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.services import next_number, timeline_add
from complaints import clocks
from complaints.classify import suggest_kind
from complaints.evidence import check_files
from complaints.models import (
    Channel,
    Complaint,
    ComplaintCounter,
    ComplaintEvidence,
    EventKind,
    Kind,
)
from complaints.receipt import complaint_receipt_data
from complaints.services._common import (
    TOKEN_CHANNELS,
    _clean,
    _require_open,
    solution_target,
)
from lib.errors import ServiceError
from privacy.services import validate_phone
from sla.models import Target
from staff.access import require


def _next_number(hall, day) -> str:
    return next_number(ComplaintCounter, prefix="TS", hall=hall, day=day)


def _ticket_for(hall, reference: str, now):
    """Link the queue ticket when the reference is a ticket number (A012) of this hall on the complaint's day."""
    if not reference or len(reference) > 8:
        return None
    from queueing.models import Ticket

    return (
        Ticket.objects.filter(hall=hall, number=reference.upper(), service_date=timezone.localdate(now))
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def complaint_intake(
    *,
    hall,
    channel: str,
    complainant_name: str,
    contact_phone: str,
    demand: str,
    business_type,
    related_reference: str = "",
    evidence_files=(),
    actor=None,
    token=None,
    now: datetime | None = None,
) -> Complaint:
    """CMP-1: record complainant, demand and evidence at once, start the clocks, queue the receipt SMS."""
    if token is not None:
        if token.hall_id != hall.pk or token.kind not in TOKEN_CHANNELS:
            raise ServiceError("forbidden", _("该令牌不能提交投诉"), status=403)
        channel = TOKEN_CHANNELS[token.kind]
    else:
        require(actor, "complaint.intake", hall)
    if channel not in Channel.values:
        raise ServiceError("invalid_channel", _("投诉渠道不正确"), field="channel")
    name = _clean(complainant_name, "name_required", _("请填写投诉人姓名"), "complainant_name", max_len=100)
    phone = validate_phone(contact_phone, field="contact_phone")
    demand = _clean(demand, "demand_required", _("请填写投诉诉求（至少5个字）"), "demand", min_len=5)
    if business_type is None:
        raise ServiceError("business_type_required", _("请选择业务类型"), field="business_type")
    reference = (related_reference or "").strip()[:64]
    checked = check_files(evidence_files)  # before any write: a refused file leaves nothing behind

    now = now or timezone.now()
    suggestion = suggest_kind(text=demand, business_type=business_type)
    complaint = Complaint(
        hall=hall,
        number=_next_number(hall, timezone.localdate(now)),
        channel=channel,
        complainant_name=name,
        contact_phone=phone,
        demand=demand,
        business_type=business_type,
        related_reference=reference,
        ticket=_ticket_for(hall, reference, now),
        suggested_kind=suggestion.kind,
        suggestion_reasons=suggestion.reasons,
        kind=suggestion.kind,
        accepted_at=now,
        accepted_by=actor,
        source_token=token,
    )
    complaint.save()
    timeline_add(
        complaint,
        EventKind.ACCEPTED,
        actor=actor,
        token=token,
        at=now,
        data={"channel": channel, "suggested_kind": suggestion.kind, "reasons": suggestion.reasons},
    )
    clocks.start(
        subject=complaint, target=Target.COMPLAINT_FIRST_CONTACT, hall=hall, started_at=now, actor=actor
    )
    clocks.start(
        subject=complaint, target=solution_target(complaint.kind), hall=hall, started_at=now, actor=actor
    )
    receipt = complaint_receipt_data(complaint=complaint)
    clocks.enqueue_notice(
        hall=hall,
        recipient=phone,
        template="complaint_receipt_complex_sms"
        if complaint.kind == Kind.COMPLEX
        else "complaint_receipt_sms",
        context={
            "hall_name": hall.name,
            "number": complaint.number,
            "accepted_at": complaint.accepted_at,
            "contact_deadline": receipt["contact_deadline"],
            "feedback_deadline": receipt["feedback_deadline"],
            "hall_phone": hall.complaint_phone or "10000",
        },
        dedupe_key=f"complaint:{complaint.pk}:receipt",
        subject=complaint,
    )
    timeline_add(complaint, EventKind.RECEIPT, actor=actor, token=token, at=now, data={"sms": True})
    # Files last: every check has passed, so nothing written to disk can be left behind by a later failure.
    stored: list = []
    try:
        for item in checked:
            _store_evidence(complaint, item, actor, stored)
    except BaseException:
        _discard(stored)
        raise
    return complaint


def _store_evidence(complaint, item, actor, stored: list) -> ComplaintEvidence:
    evidence = ComplaintEvidence(
        complaint=complaint,
        hall_id=complaint.hall_id,
        original_name=item.original_name,
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        uploaded_by=actor,
    )
    evidence.file.save(item.storage_name, item.upload, save=False)
    stored.append((evidence.file.storage, evidence.file.name))
    evidence.save()
    timeline_add(
        complaint,
        EventKind.EVIDENCE,
        actor=actor,
        data={"content_type": item.content_type, "size": item.size},
    )
    return evidence


def _discard(stored: list) -> None:
    """The rows rolled back: remove the files written for them (no orphan PI on disk)."""
    for storage, name in stored:
        storage.delete(name)


@transaction.atomic
def complaint_add_evidence(*, complaint: Complaint, files, actor=None, token=None) -> list[ComplaintEvidence]:
    """CMP-1: more evidence for an open file, from staff or from the integration that submitted it."""
    if token is not None:
        if complaint.source_token_id != token.pk:
            raise ServiceError("forbidden", _("该令牌不能修改此投诉"), status=403)
    else:
        require(actor, "complaint.intake", complaint.hall)
    _require_open(complaint)
    checked = check_files(files)
    stored: list = []
    try:
        return [_store_evidence(complaint, item, actor, stored) for item in checked]
    except BaseException:
        _discard(stored)
        raise
