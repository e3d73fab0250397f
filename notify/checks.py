"""Deploy check: e-mail notices need an SMTP host (``EMAIL_HOST``); e-mail is otherwise optional."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.mail, deploy=True)
def check_email_notices_have_a_host(app_configs, **kwargs):
    backends = getattr(settings, "TINGWU_NOTIFY_BACKENDS", {})
    if backends.get("email") == "notify.backends.EmailBackend" and not getattr(
        settings, "TINGWU_EMAIL_CONFIGURED", False
    ):
        return [
            Error(
                "TINGWU_EMAIL_BACKEND sends notices by e-mail but EMAIL_HOST is not set.",
                hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS).",
                id="notify.E001",
            )
        ]
    return []
