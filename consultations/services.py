"""Consultation workflow (BIZ-2.1). Pages and API call these functions only.

On-site, not answerable on the spot: recorded → callback by phone or SMS within 24 h → closed.
Online (WeCom / APP): first response within 1 h → answered and closed, or marked complex → solved within 48 h.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.services import TOKEN_KINDS, case_reveal, clean_text, next_number, timeline_add, transition
from consultations.models import (
    ONLINE_CHANNELS,
    Channel,
    Consultation,
    ConsultationCounter,
    EventKind,
    ReplyMethod,
    Status,
)
from lib.errors import Conflict, ServiceError
from notify import services as notify
from privacy.services import validate_phone
from sla import services as sla
from sla.models import Target
from staff.access import require

TOKEN_CHANNELS = {kind: Channel(kind) for kind in TOKEN_KINDS}


def _transition(consultation, from_statuses, to, **fields) -> Consultation:
    return transition(
        consultation,
        from_statuses,
        to,
        conflict_code="consultation_state",
        message=_("咨询状态已变化，请刷新后重试"),
        **fields,
    )


def _text(value, code, message, field, *, min_len=2, max_len=2000) -> str:
    return clean_text(value, code, message, field, min_len=min_len, max_len=max_len)


@transaction.atomic
def consultation_record(
    *,
    hall,
    channel: str,
    customer_name: str,
    contact_phone: str,
    question: str,
    business_type=None,
    actor=None,
    token=None,
    now: datetime | None = None,
) -> Consultation:
    """BIZ-2.1: record who asked what (PI encrypted) and start the callback or first-response clock."""
    if token is not None:
        if token.hall_id != hall.pk or token.kind not in TOKEN_CHANNELS:
            raise ServiceError("forbidden", _("该令牌不能提交咨询"), status=403)
        channel = TOKEN_CHANNELS[token.kind]
    else:
        require(actor, "consultation.intake", hall)
    if channel not in Channel.values:
        raise ServiceError("invalid_channel", _("咨询渠道不正确"), field="channel")
    name = _text(customer_name, "name_required", _("请填写客户姓名"), "customer_name", min_len=1, max_len=100)
    phone = validate_phone(contact_phone, field="contact_phone")
    question = _text(question, "question_required", _("请填写咨询问题"), "question")
    now = now or timezone.now()
    online = channel in ONLINE_CHANNELS
    consultation = Consultation.objects.create(
        hall=hall,
        number=next_number(ConsultationCounter, prefix="ZX", hall=hall, day=timezone.localdate(now)),
        channel=channel,
        customer_name=name,
        contact_phone=phone,
        question=question,
        business_type=business_type,
        status=Status.AWAITING_RESPONSE if online else Status.AWAITING_CALLBACK,
        recorded_at=now,
        taken_by=actor,
        source_token=token,
    )
    target = Target.CONSULTATION_ONLINE_FIRST_RESPONSE if online else Target.CONSULTATION_CALLBACK
    clock = sla.clock_start(subject=consultation, target=target, hall=hall, started_at=now, actor=actor)
    timeline_add(
        consultation, EventKind.RECORDED, actor=actor, token=token, at=now, data={"channel": channel}
    )
    notify.notification_enqueue(
        hall=hall,
        channel="sms",
        recipient=phone,
        template="consultation_received_sms",
        context={"hall_name": hall.name, "number": consultation.number, "deadline": clock.deadline},
        dedupe_key=f"consultation:{consultation.pk}:received",
        subject=consultation,
    )
    return consultation


@transaction.atomic
def consultation_respond(
    *, consultation: Consultation, actor, answer: str, complex_: bool = False
) -> Consultation:
    """BIZ-2.1 online: the first response (≤ 1 h). A complex question stays open with a 48 h solution clock."""
    require(actor, "consultation.handle", consultation.hall)
    if not consultation.is_online:
        raise ServiceError("not_online", _("现场咨询请使用回复登记"), field="answer")
    answer = _text(answer, "answer_required", _("请填写回复内容"), "answer")
    now = timezone.now()
    if complex_:
        _transition(
            consultation,
            [Status.AWAITING_RESPONSE],
            Status.IN_PROGRESS,
            first_response_at=now,
            is_complex=True,
        )
        sla.clock_meet(
            subject=consultation, target=Target.CONSULTATION_ONLINE_FIRST_RESPONSE, at=now, actor=actor
        )
        sla.clock_start(
            subject=consultation,
            target=Target.CONSULTATION_ONLINE_COMPLEX_SOLUTION,
            hall=consultation.hall,
            started_at=now,
            actor=actor,
        )
        timeline_add(consultation, EventKind.FIRST_RESPONSE, actor=actor, note=answer, at=now)
        timeline_add(consultation, EventKind.MARKED_COMPLEX, actor=actor, at=now)
        return consultation
    _transition(
        consultation,
        [Status.AWAITING_RESPONSE],
        Status.CLOSED,
        first_response_at=now,
        answer=answer,
        reply_method=ReplyMethod.ONLINE,
        answered_at=now,
        answered_by=actor,
    )
    sla.clock_meet(
        subject=consultation, target=Target.CONSULTATION_ONLINE_FIRST_RESPONSE, at=now, actor=actor
    )
    timeline_add(
        consultation,
        EventKind.ANSWERED,
        actor=actor,
        note=answer,
        at=now,
        data={"method": ReplyMethod.ONLINE},
    )
    return consultation


@transaction.atomic
def consultation_answer(*, consultation: Consultation, actor, answer: str, method: str) -> Consultation:
    """BIZ-2.1: answer and close — an on-site callback by phone/SMS (24 h) or an online complex solution (48 h)."""
    require(actor, "consultation.handle", consultation.hall)
    answer = _text(answer, "answer_required", _("请填写答复内容"), "answer")
    if consultation.status == Status.AWAITING_RESPONSE:
        return consultation_respond(consultation=consultation, actor=actor, answer=answer)
    if consultation.status == Status.AWAITING_CALLBACK:
        if method not in (ReplyMethod.PHONE, ReplyMethod.SMS):
            raise ServiceError("invalid_method", _("请选择电话或短信回复"), field="method")
        target = Target.CONSULTATION_CALLBACK
    elif consultation.status == Status.IN_PROGRESS:
        if method not in ReplyMethod.values:
            raise ServiceError("invalid_method", _("请选择答复方式"), field="method")
        target = Target.CONSULTATION_ONLINE_COMPLEX_SOLUTION
    else:
        raise Conflict("consultation_closed", _("该咨询已答复结案"))
    now = timezone.now()
    _transition(
        consultation,
        [consultation.status],
        Status.CLOSED,
        answer=answer,
        reply_method=method,
        answered_at=now,
        answered_by=actor,
    )
    sla.clock_meet(subject=consultation, target=target, at=now, actor=actor)
    if method == ReplyMethod.SMS:
        notify.notification_enqueue(
            hall=consultation.hall,
            channel="sms",
            recipient=consultation.contact_phone,
            template="consultation_callback_sms",
            context={
                "hall_name": consultation.hall.name,
                "asked_at": consultation.recorded_at,
                "answer": answer,
                "hall_phone": consultation.hall.complaint_phone or "10000",
            },
            dedupe_key=f"consultation:{consultation.pk}:answer",
            subject=consultation,
        )
    timeline_add(consultation, EventKind.ANSWERED, actor=actor, note=answer, at=now, data={"method": method})
    return consultation


REVEAL_CHOICES = [("contact_phone", _("联系电话")), ("customer_name", _("客户姓名"))]


def consultation_reveal(
    *, consultation: Consultation, actor, field: str, reason: str, ip_address: str | None = None
) -> str:
    """BIZ-2.1: the callback within 24 h needs the customer's number; shown once to a holder of ``pi.reveal`` in that
    hall, with a reason, and audited (PIAccessLog)."""
    return case_reveal(case=consultation, actor=actor, field=field, reason=reason, ip_address=ip_address)
