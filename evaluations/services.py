"""Customer evaluation workflow (SUP-1.2). Pages, API and the worker call these functions only.

finished ticket → invitation (automatic: queueing's finish schedules it after commit; the worker's
``evaluation_sweep`` invites any finished ticket still without one — the PostgreSQL hot path finishes tickets
without Django, and the pad asks for its counter's invitations the moment it hears ``ticket.finished``) →
one answer from the counter's pad, the SMS reply, the signed link or the APP → evaluation (first wins) →
a 不满意 or worse notifies the duty supervisor and opens a follow-up on the SLA engine.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations import messages  # noqa: F401  (registers the notify templates)
from evaluations.models import (
    TOP_LEVELS,
    Channel,
    Evaluation,
    EvaluationInvitation,
    Exclusion,
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    InvitationStatus,
    Level,
    RatingPad,
    ReasonChip,
    Review,
)
from integrations.models import TokenKind, token_create
from lib import rows
from lib.errors import Conflict, Forbidden, NotFound, ServiceError
from privacy import crypto
from queueing.models import Ticket, TicketStatus
from staff.access import require

logger = logging.getLogger(__name__)

DEFAULTS = {
    "evaluation.pad_window_seconds": 60,
    "evaluation.sms_window_hours": 48,
    "evaluation.follow_up_hours": 24,
    "evaluation.phone_daily_max": 3,
    "evaluation.burst_seconds": 60,
    "evaluation.burst_count": 3,
}
LINK_SALT = "evaluations.link"
COMMENT_MAX = 500
SWEEP_LOOKBACK = timedelta(days=2)


def param(code: str, at: datetime | None = None) -> float:
    """A standard parameter in force at ``at``; installs whose standard predates it use the v1 default."""
    from queueing.standard_memo import standard_at

    try:  # the queue's per-process memo of the versions (same answer as ``standard_in_force``)
        return standard_at(at or timezone.now())[code]
    except (KeyError, NotFound):
        return DEFAULTS[code]


def _publish(hall_id: int, kind: str, data: dict) -> None:
    def send():
        from floor import bus

        bus.publish(hall_id=hall_id, kind=kind, data=data)

    transaction.on_commit(send, robust=True)


def _ticket_phone(ticket: Ticket) -> str:
    """The phone the customer left: their customer record (green channel, APP) or their appointment."""
    if ticket.customer_id and ticket.customer and ticket.customer.anonymised_at is None:
        return ticket.customer.mobile or ""
    if ticket.appointment_id and ticket.appointment:
        return ticket.appointment.mobile or ""
    return ""


# --- invitations -------------------------------------------------------------------------------------------------


def invitation_create(
    *, ticket: Ticket, now: datetime | None = None, look_first: bool = True
) -> EvaluationInvitation:
    """Invite the evaluation of a finished ticket. Idempotent: the ticket's invitation is returned if it exists.

    ``look_first=False`` (the finish hook, where an invitation is the exception) skips the look-up before the
    INSERT: the unique ticket makes an existing invitation fail it and that one is returned, as when two raced."""
    if look_first:
        existing = EvaluationInvitation.objects.filter(ticket_id=ticket.pk).first()
        if existing is not None:
            return existing
    # The hall only: most tickets have no customer or appointment (walk-ins at the kiosk), and the business type is
    # read for an SMS only — joining all four on every finish was a share of its cost (issue 14); a ticket that has
    # them reads each when it is used.
    ticket = rows.by_pk(Ticket, ticket.pk, related=("hall",))  # built once per process (lib.rows, issue 14)
    if ticket is None:
        raise Ticket.DoesNotExist
    if ticket.status != TicketStatus.DONE or ticket.finished_at is None:
        raise ServiceError("ticket_not_finished", _("该号尚未办结，不能邀请评价"), field="ticket")
    at = ticket.finished_at
    phone = _ticket_phone(ticket)
    inv = EvaluationInvitation(
        hall_id=ticket.hall_id,
        region_id=ticket.hall.region_id,
        ticket=ticket,
        counter_id=ticket.counter_id,
        clerk_id=ticket.clerk_id,
        business_type_id=ticket.business_type_id,
        invited_at=at,
        pad_until=at + timedelta(seconds=param("evaluation.pad_window_seconds", at)),
        expires_at=at + timedelta(hours=param("evaluation.sms_window_hours", at)),
        phone=phone,
        phone_index=crypto.blind_index("phone", phone) if phone else "",
    )
    sms = bool(phone) and (now or timezone.now()) < inv.expires_at
    try:
        if sms or connection.in_atomic_block:
            # The invitation and its SMS commit together; inside a caller's transaction, a savepoint keeps a
            # race's IntegrityError from spoiling it.
            with transaction.atomic():
                rows.insert(inv)  # the INSERT built once per process (lib.rows, issue 14)
                if sms:
                    _sms_invite(inv, ticket, phone)
        else:
            # The finish hook's common case (a walk-in: no phone, after the finish's commit): one INSERT is atomic by
            # itself — no BEGIN/COMMIT of its own (two round trips; on SQLite it still takes the write turn,
            # tingwu/db/sqlite3).
            rows.insert(inv)
        # No bus event here: the pad lights up on ``ticket.finished`` (published by both queue paths, so the hot
        # path and Django keep publishing identical streams) and fetches this invitation.
    except IntegrityError:  # the finish hook, the sweep and a pad raced: one row won
        return EvaluationInvitation.objects.get(ticket_id=ticket.pk)
    return inv


def link_token(invitation: EvaluationInvitation) -> str:
    """The phone page's signed token: the invitation id only (no personal information), expiring with it."""
    return signing.dumps({"i": invitation.pk}, salt=LINK_SALT, compress=True)


def invitation_from_link(token: str) -> EvaluationInvitation:
    max_age = int(param("evaluation.sms_window_hours") * 3600)
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ServiceError("link_expired", _("评价链接已过期"), status=410) from exc
    except signing.BadSignature as exc:
        raise NotFound("link_invalid", _("评价链接无效")) from exc
    inv = EvaluationInvitation.objects.select_related("hall", "ticket", "business_type").filter(
        pk=data.get("i")
    )
    found = inv.first()
    if found is None:
        raise NotFound("link_invalid", _("评价链接无效"))
    return found


def _link_url(invitation: EvaluationInvitation) -> str:
    from django.urls import reverse

    base = getattr(settings, "TINGWU_PUBLIC_URL", "").rstrip("/")
    return base + reverse("evaluations:phone", args=[link_token(invitation)])


def _sms_invite(inv: EvaluationInvitation, ticket: Ticket, phone: str) -> None:
    from notify.services import notification_enqueue

    try:
        notification_enqueue(
            hall=ticket.hall,
            channel="sms",
            recipient=phone,
            template="evaluation_invite_sms",
            context={
                "hall_name": ticket.hall.name,
                "business": ticket.business_type.name,
                "link": _link_url(inv),
            },
            dedupe_key=f"evaluation-invite-{ticket.pk}",
            subject=inv,
        )
    except ServiceError:  # a malformed stored phone: the pad and the APP still invite
        logger.warning("evaluation: SMS invitation skipped for ticket %s", ticket.pk)
        return
    EvaluationInvitation.objects.filter(pk=inv.pk).update(sms_sent=True)
    inv.sms_sent = True


def invitation_after_finish(ticket_id: int) -> None:
    """Receives queueing's ``ticket_finished`` signal after the finish commits (robust: a failure never undoes a finish; the
    sweep invites what was missed)."""
    # invitation_create reads the ticket itself (and checks it is still done): a read here first cost every finish
    # one more query, and so did looking for an invitation a ticket finished a moment ago hardly has (issue 14).
    try:
        invitation_create(ticket=Ticket(pk=ticket_id), look_first=False)
    except Ticket.DoesNotExist:
        return
    except ServiceError as e:
        if e.code != "ticket_not_finished":  # reopened since the commit: nothing to invite
            raise


def invitations_for_counter(*, counter, now: datetime | None = None) -> None:
    """Invite tickets this counter finished within the pad window (a hot-path finish had no Django hook)."""
    now = now or timezone.now()
    window = timedelta(seconds=param("evaluation.pad_window_seconds", now))
    for ticket in Ticket.objects.filter(
        hall_id=counter.hall_id,
        counter_id=counter.pk,
        status=TicketStatus.DONE,
        finished_at__gte=now - window,
        evaluation_invitation__isnull=True,
    ):
        invitation_create(ticket=ticket, now=now)


def evaluation_sweep(*, now: datetime | None = None) -> dict:
    """Worker job, single pass, idempotent: invite finished tickets without an invitation (hot-path finishes,
    a failed hook), then expire invitations past their window."""
    now = now or timezone.now()
    invited = 0
    missing = Ticket.objects.filter(
        status=TicketStatus.DONE,
        finished_at__gte=now - SWEEP_LOOKBACK,
        finished_at__lte=now,
        evaluation_invitation__isnull=True,
    ).order_by("finished_at")[:2000]
    for ticket in missing:
        try:
            invitation_create(ticket=ticket, now=now)
            invited += 1
        except ServiceError:
            continue
    expired = EvaluationInvitation.objects.filter(
        status=InvitationStatus.INVITED, expires_at__lte=now
    ).update(status=InvitationStatus.EXPIRED, closed_at=now)
    return {"invited": invited, "expired": expired}


# --- answers -----------------------------------------------------------------------------------------------------


def _level(value) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise ServiceError("invalid_level", _("请选择满意程度"), field="level")
    return level


def _reasons(level: int, reason_ids) -> list[ReasonChip]:
    ids = set()
    for r in reason_ids or ():
        try:
            ids.add(int(getattr(r, "pk", r)))
        except (TypeError, ValueError) as exc:
            raise ServiceError("unknown_reason", _("评价原因不存在"), field="reasons") from exc
    if not ids:
        return []
    if level in TOP_LEVELS:
        raise ServiceError("reasons_not_allowed", _("满意评价无需选择原因"), field="reasons")
    chips = list(ReasonChip.objects.filter(pk__in=ids, active=True))
    if len(chips) != len(ids):
        raise ServiceError("unknown_reason", _("评价原因不存在"), field="reasons")
    return chips


def _flags(*, inv: EvaluationInvitation, level: int, channel: str, pad, phone_index: str, now: datetime):
    """Anti-gaming (SUP-1.2): flagged answers are excluded from "valid" until a manager reviews them."""
    if phone_index:
        day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        earlier = Evaluation.objects.filter(phone_index=phone_index, submitted_at__gte=day_start).count()
        limit = int(param("evaluation.phone_daily_max", now))
        if earlier >= limit:
            note = f"同一手机号当日第{earlier + 1}次评价（上限{limit}次）"
            return Exclusion.PHONE_REPEAT, note
    if channel == Channel.PAD and pad is not None and level == Level.VERY_SATISFIED:
        seconds = int(param("evaluation.burst_seconds", now))
        count = int(param("evaluation.burst_count", now))
        recent = Evaluation.objects.filter(
            pad=pad, level=Level.VERY_SATISFIED, submitted_at__gte=now - timedelta(seconds=seconds)
        ).count()
        if recent + 1 >= count:
            note = f"该评价器{seconds}秒内第{recent + 1}次「非常满意」"
            return Exclusion.PAD_BURST, note
    return Exclusion.NONE, ""


def evaluation_submit(
    *,
    invitation: EvaluationInvitation,
    level,
    channel: str,
    reasons=(),
    comment: str = "",
    pad: RatingPad | None = None,
    user=None,
    phone: str = "",
    now: datetime | None = None,
) -> Evaluation:
    """Record the one answer of a ticket. Refused: a staff session, a device other than the counter's pad, a pad
    answer outside its window or before the ticket finished, a second answer (409)."""
    if user is not None and getattr(user, "is_authenticated", False):
        raise Forbidden("staff_session", _("员工登录状态下不能提交客户评价"))
    if channel not in Channel.values:
        raise ServiceError("invalid_channel", _("评价渠道不正确"), field="channel")
    level = _level(level)
    chips = _reasons(level, reasons)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ServiceError("comment_too_long", _("意见不能超过500字"), field="comment")
    now = now or timezone.now()
    inv = invitation
    ticket = Ticket.objects.filter(pk=inv.ticket_id).only("status", "finished_at", "number").first()
    if (
        ticket is None
        or ticket.status != TicketStatus.DONE
        or not ticket.finished_at
        or ticket.finished_at > now
    ):
        raise ServiceError("ticket_not_finished", _("该号尚未办结，不能评价"), status=409)
    if channel == Channel.PAD:
        if pad is None or pad.counter_id != inv.counter_id:
            raise Forbidden("wrong_device", _("只能在办理窗口的评价器上评价"))
        if now > inv.pad_until:
            raise ServiceError("pad_window_closed", _("评价时间已过"), status=409)
    if inv.status == InvitationStatus.EXPIRED or now > inv.expires_at:
        raise ServiceError("invitation_expired", _("评价已过期"), status=410)
    # The phone-repeat rule needs the phone: known for an SMS reply and the SMS link (the invitation's number).
    phone_index = inv.phone_index if channel in (Channel.SMS, Channel.WEB) and inv.sms_sent else ""
    if phone:
        phone_index = crypto.blind_index("phone", phone)
    try:
        with transaction.atomic():
            claimed = EvaluationInvitation.objects.filter(pk=inv.pk, status=InvitationStatus.INVITED).update(
                status=InvitationStatus.ANSWERED, closed_at=now
            )
            if claimed != 1:
                raise Conflict("already_evaluated", _("该号已评价，感谢您的参与"))
            exclusion, note = _flags(
                inv=inv, level=level, channel=channel, pad=pad, phone_index=phone_index, now=now
            )
            ev = Evaluation.objects.create(
                invitation=inv,
                ticket_id=inv.ticket_id,
                hall_id=inv.hall_id,
                region_id=inv.region_id,
                counter_id=inv.counter_id,
                clerk_id=inv.clerk_id,
                business_type_id=inv.business_type_id,
                level=level,
                comment=comment,
                channel=channel,
                pad=pad,
                phone_index=phone_index,
                submitted_at=now,
                valid=exclusion == Exclusion.NONE,
                exclusion=exclusion,
                exclusion_note=note,
                review=Review.PENDING if exclusion else Review.NONE,
            )
            if chips:
                ev.reasons.set(chips)
            if ev.is_low:
                _low_score(ev, ticket_number=ticket.number, now=now)
            _publish(
                inv.hall_id, "evaluation.answered", {"counter_id": inv.counter_id, "ticket_id": inv.ticket_id}
            )
    except IntegrityError as exc:  # the unique constraint: a concurrent answer committed first
        raise Conflict("already_evaluated", _("该号已评价，感谢您的参与")) from exc
    inv.status = InvitationStatus.ANSWERED
    return ev


def _low_score(ev: Evaluation, *, ticket_number: str, now: datetime) -> None:
    """不满意 or worse: the duty supervisor on duty (else the hall managers) at once, and a follow-up clock."""
    from notify.services import notification_enqueue
    from sla.escalation import _display_name, duty_supervisors, hall_managers
    from sla.models import Target
    from sla.services import clock_start

    follow = FollowUp.objects.create(evaluation=ev, hall_id=ev.hall_id, opened_at=now)
    clock = clock_start(subject=follow, target=Target.EVALUATION_FOLLOW_UP, hall=ev.hall, started_at=now)
    users = duty_supervisors(ev.hall, now) or hall_managers(ev.hall)
    reasons = "、".join(r.name for r in ev.reasons.all()) or "未选择"
    notification_enqueue(
        hall=ev.hall,
        channel="wecom",
        recipient=getattr(settings, "TINGWU_SLA_WECOM_ROBOT", "default"),
        template="evaluation_low_score",
        context={
            "hall_name": ev.hall.name,
            "counter": ev.counter.number if ev.counter else "—",
            "clerk": _display_name(ev.clerk) if ev.clerk else "—",
            "number": ticket_number,
            "level": ev.get_level_display(),
            "reasons": reasons,
            "deadline": clock.deadline,
            "name": "、".join(_display_name(u) for u in users) or "（未配置）",
        },
        dedupe_key=f"evaluation-low-{ev.pk}",
        subject=follow,
        options={"mentioned_list": [u.get_username() for u in users], "recipients": [u.pk for u in users]},
    )


def evaluation_review(
    *, evaluation: Evaluation, actor, accept: bool, now: datetime | None = None
) -> Evaluation:
    """A manager settles a flagged evaluation: accepted counts as valid, rejected stays excluded (reason kept)."""
    require(actor, "evaluation.review", evaluation.hall_id)
    now = now or timezone.now()
    review = Review.ACCEPTED if accept else Review.REJECTED
    with transaction.atomic():
        n = Evaluation.objects.filter(pk=evaluation.pk, review=Review.PENDING).update(
            review=review, valid=bool(accept), reviewed_by=actor, reviewed_at=now
        )
        if n != 1:
            raise Conflict("not_pending", _("该评价无需复核或已复核"))
    evaluation.refresh_from_db()
    return evaluation


def follow_up_complete(*, follow_up: FollowUp, actor, outcome: str, note: str = "", now=None) -> FollowUp:
    """Record the callback's outcome; meets the SLA clock (late if past its deadline)."""
    from sla.models import Target
    from sla.services import clock_meet

    require(actor, "evaluation.follow_up", follow_up.hall_id)
    if outcome not in FollowUpOutcome.values:
        raise ServiceError("invalid_outcome", _("请选择回访结果"), field="outcome")
    note = (note or "").strip()
    if len(note) < 2 or len(note) > 1000:
        raise ServiceError("note_required", _("请填写回访记录（2至1000字）"), field="note")
    now = now or timezone.now()
    with transaction.atomic():
        n = FollowUp.objects.filter(pk=follow_up.pk, status=FollowUpStatus.OPEN).update(
            status=FollowUpStatus.DONE, outcome=outcome, note=note, done_by=actor, done_at=now
        )
        if n != 1:
            raise Conflict("follow_up_done", _("该回访已完成"))
        follow_up.refresh_from_db()
        clock_meet(subject=follow_up, target=Target.EVALUATION_FOLLOW_UP, at=now, actor=actor)
    return follow_up


# --- pads --------------------------------------------------------------------------------------------------------


def rating_pad_create(*, counter, actor, now=None) -> tuple[RatingPad, str]:
    """Provision the counter's pad: a hall-bound ``rating_pad`` token (shown once) and its pairing. A counter
    has one pad; provisioning again revokes the old token (the old device is unpaired)."""
    from integrations.models import token_revoke

    require(actor, "evaluation.configure", counter.hall_id)
    now = now or timezone.now()
    with transaction.atomic():
        old = RatingPad.objects.select_related("token").filter(counter=counter).first()
        if old is not None:
            token_revoke(token=old.token)
            old.delete()
        token, raw = token_create(
            hall=counter.hall, kind=TokenKind.RATING_PAD, name=f"评价器 {counter.number}号窗口", user=actor
        )
        pad = RatingPad.objects.create(hall_id=counter.hall_id, counter=counter, token=token, created_at=now)
    return pad, raw


def pad_current(*, pad: RatingPad, now: datetime | None = None) -> EvaluationInvitation | None:
    """The invitation the pad shows now: the newest open one of its counter still inside the pad window."""
    now = now or timezone.now()
    invitations_for_counter(counter=pad.counter, now=now)
    return (
        EvaluationInvitation.objects.select_related("clerk__staff_profile", "ticket", "business_type")
        .filter(
            counter_id=pad.counter_id,
            status=InvitationStatus.INVITED,
            pad_until__gte=now,
            invited_at__lte=now,
        )
        .order_by("-invited_at", "-pk")
        .first()
    )


def pad_submit(*, token, ticket_id, level, reasons=(), comment: str = "", user=None, now=None) -> Evaluation:
    """An answer from a pad: its token must be a paired ``rating_pad`` of the ticket's counter."""
    if user is not None and getattr(user, "is_authenticated", False):
        raise Forbidden("staff_session", _("员工登录状态下不能提交客户评价"))
    pad = (
        RatingPad.objects.select_related("counter").filter(token=token).first() if token is not None else None
    )
    if pad is None or token.kind != TokenKind.RATING_PAD:
        raise Forbidden("wrong_device", _("只能在办理窗口的评价器上评价"))
    try:
        ticket_id = int(ticket_id)
    except (TypeError, ValueError) as exc:
        raise ServiceError("invalid_ticket", _("号码不正确"), field="ticket_id") from exc
    inv = EvaluationInvitation.objects.filter(ticket_id=ticket_id, hall_id=pad.hall_id).first()
    if inv is None:
        ticket = Ticket.objects.filter(pk=ticket_id, hall_id=pad.hall_id).first()
        if ticket is None:
            raise NotFound("not_found", _("记录不存在或无权查看"))
        if ticket.status != TicketStatus.DONE:
            raise ServiceError("ticket_not_finished", _("该号尚未办结，不能评价"), status=409)
        inv = invitation_create(ticket=ticket, now=now)
    return evaluation_submit(
        invitation=inv, level=level, reasons=reasons, comment=comment, channel=Channel.PAD, pad=pad, now=now
    )


def app_submit(*, token, ticket_token: str, level, reasons=(), comment: str = "", now=None) -> Evaluation:
    """The APP submits with the ticket's public token (the one on the customer's mobile ticket page)."""
    if token is None or token.kind != TokenKind.APP:
        raise Forbidden("wrong_device", _("该令牌不能提交评价"))
    ticket = Ticket.objects.filter(public_token=str(ticket_token or "")[:32], hall_id=token.hall_id).first()
    if ticket is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    if ticket.status != TicketStatus.DONE:
        raise ServiceError("ticket_not_finished", _("该号尚未办结，不能评价"), status=409)
    inv = invitation_create(ticket=ticket, now=now)
    return evaluation_submit(
        invitation=inv, level=level, reasons=reasons, comment=comment, channel=Channel.APP, now=now
    )


def reason_chips_seed() -> int:
    """Create the default reason chips that are missing (the 0002 migration does this on install; a flushed test
    database or a deleted chip gets them back). Returns how many were created."""
    from importlib import import_module

    chips = import_module("evaluations.migrations.0002_reason_chips").CHIPS
    created = 0
    for i, (code, name, name_en) in enumerate(chips, 1):
        _chip, new = ReasonChip.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": i}
        )
        created += int(new)
    return created
