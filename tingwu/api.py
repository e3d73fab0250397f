"""The REST API under /api/v1/: one NinjaAPI, routers contributed by each app's ``api.py``.

Auth: a staff browser session (CSRF-checked) or a device/integration bearer token (``Authorization: Bearer tw_…``).
Errors: ``{"code": str, "message": zh-hans, "message_en": en}`` with a 4xx status.
"""

from __future__ import annotations

from django.db import OperationalError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader, HttpBearer

from integrations.models import token_authenticate
from lib.apiauth import staff_session as django_auth
from lib.errors import ServiceError
from tingwu import overload


class DeviceToken(HttpBearer):
    """Bearer token for kiosks, displays and integrations; ``request.auth`` becomes the ApiToken (hall-bound)."""

    def authenticate(self, request: HttpRequest, token: str):
        found = token_authenticate(token)
        if found is not None:
            request.api_token = found
        return found


class DeviceTokenHeader(APIKeyHeader):
    """Same token in ``X-Device-Token`` (EventSource and simple devices cannot always set Authorization)."""

    param_name = "X-Device-Token"

    def authenticate(self, request: HttpRequest, key: str | None):
        found = token_authenticate(key)
        if found is not None:
            request.api_token = found
        return found


STAFF_AUTH = [django_auth]
DEVICE_AUTH = [DeviceToken(), DeviceTokenHeader()]
# Device tokens first: a token-bearing POST must not fall into the session check (which enforces CSRF).
ANY_AUTH = [DeviceToken(), DeviceTokenHeader(), django_auth]

api = NinjaAPI(
    title="Tingwu 厅务 API",
    version="1.0.0",
    urls_namespace="api",
    description="营业厅服务运营系统接口 / Service operations API for business halls. "
    "Errors: {code, message (zh-hans), message_en}.",
    auth=ANY_AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_body(code: str, message) -> dict:
    return ServiceError(code, message).messages() | {"code": code}


@api.exception_handler(ServiceError)
def _service_error(request, exc: ServiceError):
    body = {"code": exc.code, **exc.messages()}
    if exc.field:
        body["field"] = exc.field
    body.update(getattr(exc, "extra", None) or {})  # e.g. hall_closed's opens_at
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(OperationalError)
def _overloaded(request, exc: OperationalError):
    """A pool timeout or a locked SQLite: 503 + Retry-After (tingwu/overload.py); any other database error is Django's."""
    if not overload.is_overload(exc):
        raise exc
    response = api.create_response(request, overload.overloaded_body(), status=503)
    response["Retry-After"] = str(overload.retry_after())
    return response


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return api.create_response(request, error_body("unauthorized", _("未登录或令牌无效")), status=401)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    body = error_body("invalid_input", _("输入数据不合法")) | {"errors": exc.errors}
    return api.create_response(request, body, status=422)


@api.exception_handler(Http404)
def _not_found(request, exc):
    """``get_object_or_404`` in an endpoint: the API's 404 body, not ninja's bare ``{"detail": "Not Found"}``."""
    return api.create_response(request, error_body("not_found", _("记录不存在或无权查看")), status=404)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    code = {404: "not_found", 403: "forbidden", 401: "unauthorized"}.get(exc.status_code, "error")
    return api.create_response(request, error_body(code, str(exc.message)), status=exc.status_code)


def _register_routers() -> None:
    from importlib import import_module

    for app, prefix in [
        ("halls", "/halls"),
        ("staff", "/staff"),
        ("catalog", "/catalog"),
        ("standard", "/standard"),
        ("privacy", "/customers"),
        ("queueing", "/queue"),
        ("floor", "/floor"),
        ("sla", "/sla"),
        ("notify", "/notifications"),
        ("complaints", "/complaints"),
        ("consultations", "/consultations"),
        ("facilities", "/facilities"),
        ("inspections", "/inspections"),
        ("training", "/training"),
        ("visits", "/visits"),
        ("kpi", "/kpi"),
        ("evaluations", "/evaluations"),
    ]:
        try:
            module = import_module(f"{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.api":
                raise
            continue
        api.add_router(prefix, module.router, tags=[app])


_register_routers()
