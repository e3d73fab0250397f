"""Outbox services (CMP-1, CMP-3): enqueue idempotently inside the business transaction, drain with retries."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.errors import ServiceError
from notify.backends import backend_for, mask_recipient
from notify.messages import render_template
from notify.models import Channel, Notification, NotificationStatus
from privacy.crypto import normalise
from privacy.logging import scrub

logger = logging.getLogger("tingwu.notify")

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A claimed row whose worker died mid-send goes back to the queue after this long.
STALE_CLAIM = timedelta(minutes=10)
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600

__all__ = [
    "notification_enqueue",
    "notification_enqueue_many",
    "notification_deliver",
    "notification_drain",
    "render_template",
    "backoff_seconds",
]


def _check_recipient(channel: str, recipient: str) -> str:
    recipient = (recipient or "").strip()
    if channel == Channel.SMS:
        phone = normalise("phone", recipient)
        if not _MOBILE.match(phone):
            raise ServiceError("invalid_phone", _("手机号码格式不正确"), field="recipient")
        return phone
    if channel == Channel.EMAIL:
        if not _EMAIL.match(recipient):
            raise ServiceError("invalid_email", _("电子邮箱格式不正确"), field="recipient")
        return recipient
    if channel == Channel.WECOM:
        return recipient or "default"
    raise ServiceError("invalid_channel", _("不支持的通知渠道"), field="channel")


def notification_enqueue(
    *,
    hall,
    channel: str,
    recipient: str,
    template: str,
    context: dict,
    dedupe_key: str,
    subject=None,
    options: dict | None = None,
    not_before: datetime | None = None,
    prompt: bool = True,
    fresh: bool = False,
) -> Notification:
    """Queue one message. Idempotent: a second call with the same ``dedupe_key`` returns the first row untouched.

    Call it inside your business transaction: the row commits (or rolls back) with it; after the commit a Django
    task delivers it promptly, and the worker's drain is the safety net. ``not_before`` defers delivery (quiet
    hours). ``prompt=False`` skips the task when the caller is the worker itself (its drain follows at once).
    ``fresh=True``: the caller holds a claim that makes an earlier row with this key unlikely (the SLA sweep's event
    row), so the look-up is skipped; a duplicate still meets the unique index and returns the first row."""
    if not dedupe_key:
        raise ServiceError("notify_dedupe_required", _("通知必须提供去重键"), field="dedupe_key")
    existing = None if fresh else Notification.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    notification = _notification_row(
        hall=hall,
        channel=channel,
        recipient=recipient,
        template=template,
        context=context,
        dedupe_key=dedupe_key,
        subject=subject,
        options=options,
        not_before=not_before,
    )
    try:
        with transaction.atomic():
            notification.save(force_insert=True)
    except IntegrityError:
        # Lost a race with an identical enqueue: theirs is the one.
        return Notification.objects.get(dedupe_key=dedupe_key)
    if prompt and (not_before is None or not_before <= timezone.now()):
        pk = notification.pk
        transaction.on_commit(lambda: _schedule_prompt_delivery(pk))
    return notification


def notification_enqueue_many(notices: list[dict]) -> list[Notification]:
    """Queue many fresh messages in one INSERT (the SLA sweep's pass: issue 14). Each item takes the keyword
    arguments of ``notification_enqueue``; the caller holds the claims (``fresh``) and the worker's drain follows
    (no prompt task). Should a key exist after all, the rows go one by one and the existing ones are returned."""
    rows = [_notification_row(**notice) for notice in notices]
    if not rows:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:
        return [notification_enqueue(**notice, prompt=False) for notice in notices]


def _notification_row(
    *,
    hall,
    channel: str,
    recipient: str,
    template: str,
    context: dict,
    dedupe_key: str,
    subject=None,
    options: dict | None = None,
    not_before: datetime | None = None,
) -> Notification:
    if not dedupe_key:
        raise ServiceError("notify_dedupe_required", _("通知必须提供去重键"), field="dedupe_key")
    recipient = _check_recipient(channel, recipient)
    fields = {
        "hall": hall,
        "channel": channel,
        "recipient": recipient,
        "recipient_masked": mask_recipient(channel, recipient),
        "template": template,
        "body": render_template(template, context),
        "options": options or {},
        "dedupe_key": dedupe_key,
        "next_attempt_at": not_before or timezone.now(),
        "max_attempts": getattr(settings, "TINGWU_NOTIFY_MAX_ATTEMPTS", 6),
    }
    if subject is not None:
        fields["content_type"] = ContentType.objects.get_for_model(subject, for_concrete_model=False)
        fields["object_id"] = subject.pk
    return Notification(**fields)


def _schedule_prompt_delivery(pk: int) -> None:
    if not getattr(settings, "TINGWU_NOTIFY_PROMPT", True):
        return
    try:
        from notify.tasks import deliver_notification

        deliver_notification.enqueue(pk)
    except Exception:  # the drain will pick the row up; never fail the user's action for this
        logger.warning("could not schedule prompt delivery of notification %s", pk, exc_info=True)


def backoff_seconds(attempts: int) -> int:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failed attempt, capped at 6 hours."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1), BACKOFF_MAX_SECONDS)


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> str:
    """One delivery attempt. Returns "sent", "retry", "failed" or "skipped" (someone else claimed it / not due)."""
    now = now or timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.QUEUED, next_attempt_at__lte=now
    ).update(status=NotificationStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    notification = Notification.objects.get(pk=notification_id)
    try:
        backend_for(notification.channel).send(notification)
    except Exception as exc:
        error = scrub(f"{type(exc).__name__}: {exc}")[:500]
        if notification.attempts >= notification.max_attempts:
            Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
                status=NotificationStatus.FAILED, last_error=error, claimed_at=None
            )
            logger.error("notification %s failed for good: %s", notification_id, error)
            return "failed"
        Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
            status=NotificationStatus.QUEUED,
            last_error=error,
            claimed_at=None,
            next_attempt_at=now + timedelta(seconds=backoff_seconds(notification.attempts)),
        )
        logger.warning("notification %s attempt %s failed: %s", notification_id, notification.attempts, error)
        return "retry"
    Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.SENT, sent_at=now, claimed_at=None, last_error=""
    )
    return "sent"


def notification_drain(*, now: datetime | None = None, limit: int = 100) -> dict:
    """One pass of the outbox (run by ``manage.py worker``): requeue stale claims, then deliver due rows."""
    now = now or timezone.now()
    requeued = Notification.objects.filter(
        status=NotificationStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=NotificationStatus.QUEUED, claimed_at=None)
    ids = list(
        Notification.objects.filter(status=NotificationStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    result = {"requeued": requeued, "sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    for pk in ids:
        result[notification_deliver(notification_id=pk, now=now)] += 1
    return result
