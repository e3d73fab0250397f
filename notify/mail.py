"""E-mail is optional: an install without ``EMAIL_HOST`` uses this mailer, which refuses to send.

Tingwu's notices go by SMS and WeCom by default; e-mail is only used when ``TINGWU_EMAIL_BACKEND`` names
``notify.backends.EmailBackend``. Without an SMTP host a message must not be reported as sent (the console backend
would "send" it to stdout and Django's deploy check rightly refuses it in production), so sending raises and the
outbox records the failure. ``check --deploy`` flags the one wrong combination: e-mail notices without a host
(``notify.E001``, see ``notify.checks``)."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend


class EmailDisabled(RuntimeError):
    pass


class DisabledEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        raise EmailDisabled("e-mail is not configured (set EMAIL_HOST)")
