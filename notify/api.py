"""Outbox API: the notifications of the caller's halls (recipient masked, no body). Staff sessions only."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema

from halls.api import error_responses
from notify.models import Channel, Notification, NotificationStatus
from notify.web import OUTBOX_CAPABILITY, require_outbox
from staff.web import api_staff_user
from tingwu.api_auth import STAFF_AUTH

router = Router()


ERRORS = error_responses(403, 404, 422)


class NotificationOut(Schema):
    id: int
    hall_id: int
    channel: Channel
    recipient_masked: str
    template: str
    status: NotificationStatus
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    created_at: datetime
    last_error: str


class PageOut(Schema):
    count: int
    items: list[NotificationOut]


@router.get(
    "/",
    response={200: PageOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="通知发件箱（收件人脱敏） / Notification outbox (recipients masked)",
)
def list_notifications(
    request,
    status: NotificationStatus | None = None,
    channel: Channel | None = None,
    hall_id: int | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=2**31),
):
    """Newest first. Filters: status, channel, hall. The body is never returned (it may quote a customer)."""
    user = api_staff_user(request)
    require_outbox(user, hall_id)
    qs = Notification.objects.for_user(user, OUTBOX_CAPABILITY).defer("body", "recipient")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if hall_id:
        qs = qs.filter(hall_id=hall_id)
    qs = qs.order_by("-created_at", "-pk")
    return {"count": qs.count(), "items": list(qs[offset : offset + limit])}
