"""Domain errors with a stable code and a translatable message.

Services raise ``ServiceError``; pages turn it into a form/message error, the API into an HTTP 4xx body
``{"code": ..., "message": <zh-hans>, "message_en": <en>}``.
"""

from __future__ import annotations

from django.utils import translation


class ServiceError(Exception):
    status = 400

    def __init__(self, code: str, message, *, status: int | None = None, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.message = message  # usually a gettext_lazy proxy
        self.field = field
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def messages(self) -> dict[str, str]:
        with translation.override("zh-hans"):
            zh = str(self.message)
        with translation.override("en"):
            en = str(self.message)
        return {"message": zh, "message_en": en}


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409
