"""Tokens for devices and integrations (kiosk, display, APP, WeCom): hashed at rest, scoped to a hall, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet
from lib import rows


class TokenKind(models.TextChoices):
    KIOSK = "kiosk", _("取号机")
    DISPLAY = "display", _("叫号显示屏")
    APP = "app", _("手机APP")
    WECOM = "wecom", _("企业微信")
    RATING_PAD = "rating_pad", _("评价器")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=TokenKind.choices)
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("营业厅")
    )
    prefix = models.CharField(_("前缀"), max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("设备/集成令牌")
        verbose_name_plural = _("设备/集成令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def token_create(*, hall, kind: str, name: str, user=None) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    raw = f"tw_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        hall=hall, kind=kind, name=name, prefix=raw[:10], token_hash=hash_token(raw), created_by=user
    )
    return token, raw


def token_authenticate(raw: str | None, *, kinds: set[str] | None = None) -> ApiToken | None:
    if not raw:
        return None
    # Every device request reads its token: one statement built once per process, not compiled by the ORM each
    # time (lib.rows, issue 14).
    token = rows.one(ApiToken, related=("hall",), token_hash=hash_token(raw), revoked_at=None)
    if token is None or (kinds and token.kind not in kinds):
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # throttled: not a write per request
    return token


# Sent after a token is revoked (a queryset update sends no post_save): per-process memos of accepted credentials
# (queueing.hotpath.identity) drop it at once.
token_revoked = Signal()


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token_revoked.send(sender=ApiToken, token=token)
