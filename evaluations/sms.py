"""Inbound SMS replies to an evaluation invitation (the gateway's webhook calls ``sms_inbound``).

Reply scale (``TINGWU_EVALUATION_SMS_SCALE``, default 5 非常满意 … 1 非常不满意， 0 declines). The reply is matched to
the newest open SMS invitation of that phone in the gateway token's hall (blind index: the phone is never stored in
clear for the look-up). Out of range → one help text per reply (at most three per invitation); a second reply
after an answer → ignored; an unknown number → ignored (nothing is sent to a number we never invited).
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models import Channel, EvaluationInvitation, InvitationStatus
from evaluations.services import evaluation_submit
from integrations.models import TokenKind
from lib.errors import Conflict, Forbidden, ServiceError
from privacy import crypto

DEFAULT_SCALE = {"5": 5, "4": 4, "3": 3, "2": 2, "1": 1}
DEFAULT_DECLINE = "0"
HELP_MAX = 3
TRAILING = set("。.!!")
GATEWAY_KINDS = {TokenKind.APP, TokenKind.WECOM}  # integration tokens (not screens, not pads)


def scale() -> tuple[dict[str, int], str]:
    conf = getattr(settings, "TINGWU_EVALUATION_SMS_SCALE", None) or {}
    return conf.get("levels", DEFAULT_SCALE), str(conf.get("decline", DEFAULT_DECLINE))


def parse_reply(text: str) -> tuple[str, int | None]:
    """("level", n) | ("decline", None) | ("invalid", None). Full-width digits and spaces are accepted."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    while value and value[-1] in TRAILING:  # "5。" / "5!" from a phone keyboard
        value = value[:-1].rstrip()
    levels, decline = scale()
    if value == decline:
        return "decline", None
    if value in levels:
        return "level", int(levels[value])
    return "invalid", None


def sms_inbound(*, token, sender: str, text: str, now=None) -> dict:
    """Handle one inbound SMS. Returns ``{"result": answered|declined|help|ignored|unknown, ...}``."""
    from notify.services import notification_enqueue
    from privacy.services import validate_phone

    if token is None or token.kind not in GATEWAY_KINDS:
        raise Forbidden("wrong_device", _("该令牌不能接收短信回复"))
    try:
        phone = validate_phone(sender, field="sender")
    except ServiceError:
        return {"result": "unknown"}
    now = now or timezone.now()
    index = crypto.blind_index("phone", phone)
    candidates = EvaluationInvitation.objects.select_related("hall").filter(
        hall_id=token.hall_id, phone_index=index, sms_sent=True
    )
    inv = (
        candidates.filter(status=InvitationStatus.INVITED, expires_at__gt=now).order_by("-invited_at").first()
    )
    if inv is None:
        return {"result": "ignored" if candidates.exists() else "unknown"}
    kind, level = parse_reply(text)
    if kind == "decline":
        with transaction.atomic():
            n = EvaluationInvitation.objects.filter(pk=inv.pk, status=InvitationStatus.INVITED).update(
                status=InvitationStatus.DECLINED, closed_at=now
            )
        return {"result": "declined" if n else "ignored", "ticket_id": inv.ticket_id}
    if kind == "invalid":
        with transaction.atomic():
            n = EvaluationInvitation.objects.filter(pk=inv.pk, help_sent__lt=HELP_MAX).update(
                help_sent=inv.help_sent + 1
            )
            if n:
                notification_enqueue(
                    hall=inv.hall,
                    channel="sms",
                    recipient=phone,
                    template="evaluation_help_sms",
                    context={"hall_name": inv.hall.name},
                    dedupe_key=f"evaluation-help-{inv.pk}-{inv.help_sent + 1}",
                    subject=inv,
                )
        return {"result": "help" if n else "ignored", "ticket_id": inv.ticket_id}
    try:
        ev = evaluation_submit(invitation=inv, level=level, channel=Channel.SMS, phone=phone, now=now)
    except Conflict:
        return {"result": "ignored", "ticket_id": inv.ticket_id}
    return {"result": "answered", "ticket_id": inv.ticket_id, "evaluation_id": ev.pk}
