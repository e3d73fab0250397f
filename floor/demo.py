"""Demo announcements for the flagship hall (one normal, one temporary red notice) and the display links."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from floor.models import Announcement, AnnouncementKind


def load(ctx: dict) -> None:
    halls = ctx.get("halls") or []
    manager = (ctx.get("demo_users") or {}).get("manager1")
    if not halls or manager is None:
        return
    flagship = halls[0]
    now = timezone.now()
    notices = [
        {
            "kind": AnnouncementKind.SYSTEM_UPGRADE,
            "title": "系统升级公告",
            "body": "本周六 22:00 至次日 02:00 业务系统升级，期间暂停办理携号转网、套餐变更业务。",
            "ends_at": now + timedelta(days=7),
            "consult_phone": "10086",
            "consult_window": "1号咨询台",
        },
        {
            "kind": AnnouncementKind.NORMAL,
            "title": "温馨提示",
            "body": "老年人、残障人士、孕妇可在取号时选择优先，引导员将全程协助。",
            "ends_at": None,
        },
    ]
    for n in notices:
        if not Announcement.objects.filter(
            hall=flagship, title=n["title"], withdrawn_at__isnull=True
        ).exists():
            Announcement.objects.create(hall=flagship, published_by=manager, starts_at=now, **n)
    tokens = ctx.get("device_tokens") or {}
    if ctx.get("quiet") or not tokens:
        return
    out = ctx["stdout"]
    out.write(
        "Calling displays (open once on the screen; the token after # is never sent to the server,"
        " the page posts it and keeps a signed cookie):"
    )
    for hall in halls:
        raw = tokens.get((hall.code, "display"))
        if raw:
            url = reverse("floor:display", args=[hall.pk])
            out.write(f"  {hall.name}: {settings.TINGWU_PUBLIC_BASE_URL}{url}#token={raw}")
