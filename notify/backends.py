"""Delivery backends, one per channel, chosen by ``settings.TINGWU_NOTIFY_BACKENDS``.

A backend's ``send(notification)`` returns on success and raises on failure (the drain retries with back-off).
Nothing here logs a recipient or a body without masking it first.
"""

from __future__ import annotations

import logging
from functools import cache

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

from lib.masking import mask_phone

logger = logging.getLogger("tingwu.notify")

WECOM_SEND_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="


class DeliveryError(Exception):
    pass


class BaseBackend:
    def send(self, notification) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class OutboxLogBackend(BaseBackend):
    """Local default: the outbox row (body encrypted) is the record; the log gets a masked line.

    The body is not logged: answers and solutions are free text that may name the customer, which ``scrub``
    (phone and ID shapes only) cannot catch."""

    def send(self, notification) -> None:
        logger.info(
            "notify %s %s to %s (%d characters)",
            notification.channel,
            notification.template,
            notification.recipient_masked,
            len(notification.body or ""),
        )


def _timeout() -> float:
    return float(getattr(settings, "TINGWU_NOTIFY_TIMEOUT", 10))


class SmsHttpBackend(BaseBackend):
    """Skeleton for an SMS gateway taking a generic JSON POST: ``{"phone", "content", "template", "sign"}``.

    Settings: ``TINGWU_SMS_URL`` (required), ``TINGWU_SMS_TOKEN`` (sent as a bearer token), ``TINGWU_SMS_SIGN``.
    Real gateways (Aliyun, Tencent Cloud) need their own signing; subclass and override ``payload``/``headers``.
    """

    def payload(self, notification) -> dict:
        return {
            "phone": notification.recipient,
            "content": notification.body,
            "template": notification.template,
            "sign": getattr(settings, "TINGWU_SMS_SIGN", ""),
        }

    def headers(self) -> dict:
        token = getattr(settings, "TINGWU_SMS_TOKEN", "")
        return {"Authorization": f"Bearer {token}"} if token else {}

    def send(self, notification) -> None:
        url = getattr(settings, "TINGWU_SMS_URL", "")
        if not url:
            raise DeliveryError("TINGWU_SMS_URL is not configured")
        response = httpx.post(
            url, json=self.payload(notification), headers=self.headers(), timeout=_timeout()
        )
        if response.status_code >= 300:
            raise DeliveryError(f"sms gateway answered HTTP {response.status_code}")


def wecom_webhook_url(name: str) -> str:
    """A robot name from ``TINGWU_WECOM_WEBHOOKS`` ("default" falls back to ``TINGWU_WECOM_WEBHOOK_URL``),
    a full URL, or a bare robot key."""
    robots = getattr(settings, "TINGWU_WECOM_WEBHOOKS", {}) or {}
    if name in robots:
        return robots[name]
    if name in ("", "default"):
        url = getattr(settings, "TINGWU_WECOM_WEBHOOK_URL", "")
        if not url:
            raise DeliveryError("TINGWU_WECOM_WEBHOOK_URL is not configured")
        return url
    if name.startswith(("http://", "https://")):
        return name
    return WECOM_SEND_URL + name


def wecom_payload(notification) -> dict:
    """The group robot's real JSON: text (with @mentions) or markdown."""
    options = notification.options or {}
    if options.get("msgtype") == "markdown":
        return {"msgtype": "markdown", "markdown": {"content": notification.body}}
    text = {"content": notification.body}
    if options.get("mentioned_list"):
        text["mentioned_list"] = list(options["mentioned_list"])
    if options.get("mentioned_mobile_list"):
        text["mentioned_mobile_list"] = list(options["mentioned_mobile_list"])
    return {"msgtype": "text", "text": text}


class WeComRobotBackend(BaseBackend):
    def send(self, notification) -> None:
        url = wecom_webhook_url(notification.recipient)
        response = httpx.post(url, json=wecom_payload(notification), timeout=_timeout())
        if response.status_code >= 300:
            raise DeliveryError(f"wecom answered HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise DeliveryError("wecom answered with a non-JSON body") from exc
        if data.get("errcode", 0) != 0:
            # errmsg may echo the key in a hint URL; keep only the code.
            raise DeliveryError(f"wecom errcode {data.get('errcode')}")


class EmailBackend(BaseBackend):
    """Django mail; uses the default mailer (``MAILERS["default"]`` in Django 6.1, ``EMAIL_BACKEND`` before)."""

    def send(self, notification) -> None:
        from django.core.mail import EmailMessage

        from notify.messages import SUBJECTS

        subject = (notification.options or {}).get("subject") or SUBJECTS.get(
            notification.template, "厅务通知"
        )
        message = EmailMessage(subject=subject, body=notification.body, to=[notification.recipient])
        # Django 6.1 mailers: a named mailer when the project defines MAILERS, else the default connection.
        alias = getattr(settings, "TINGWU_NOTIFY_MAILER", "default")
        sent = message.send(using=alias) if getattr(settings, "MAILERS", None) else message.send()
        if not sent:
            raise DeliveryError("mailer sent nothing")


@cache
def _load(path: str) -> BaseBackend:
    return import_string(path)()


def backend_for(channel: str) -> BaseBackend:
    path = settings.TINGWU_NOTIFY_BACKENDS.get(channel, "notify.backends.OutboxLogBackend")
    return _load(path)


def mask_recipient(channel: str, recipient: str) -> str:
    if channel == "sms":
        return mask_phone(recipient)
    if channel == "email":
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    if recipient.startswith(("http://", "https://")) or len(recipient) > 32:
        return "webhook:***"
    return recipient  # a robot name from settings, not personal information
