"""The REST API under /api/v1/: one NinjaAPI, routers contributed by each app's ``api.py``.

Auth: a staff browser session (CSRF-checked) or a device/integration bearer token (``Authorization: Bearer tw_…``);
the lists (``STAFF_AUTH``, ``DEVICE_AUTH``, ``ANY_AUTH``) are in ``tingwu.api_auth``.
Errors: ``{"code": str, "message": zh-hans, "message_en": en}`` with a 4xx status.
"""

from __future__ import annotations

from django.db import OperationalError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from catalog import api as catalog_api
from complaints import api as complaints_api
from consultations import api as consultations_api
from evaluations import api as evaluations_api
from facilities import api as facilities_api
from floor import api as floor_api
from halls import api as halls_api
from inspections import api as inspections_api
from kpi import api as kpi_api
from kpi import api_year as kpi_year_api
from lib.errors import ServiceError
from notify import api as notify_api
from privacy import api as privacy_api
from queueing import api as queueing_api
from sla import api as sla_api
from staff import api as staff_api
from standard import api as standard_api
from tingwu import overload
from tingwu.api_auth import ANY_AUTH
from training import api as training_api
from visits import api as visits_api

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


# Each app's router under its prefix (the auth lists live in tingwu.api_auth, which imports no router).
for prefix, app, router in [
    ("/halls", "halls", halls_api.router),
    ("/staff", "staff", staff_api.router),
    ("/catalog", "catalog", catalog_api.router),
    ("/standard", "standard", standard_api.router),
    ("/customers", "privacy", privacy_api.router),
    ("/queue", "queueing", queueing_api.router),
    ("/floor", "floor", floor_api.router),
    ("/sla", "sla", sla_api.router),
    ("/notifications", "notify", notify_api.router),
    ("/complaints", "complaints", complaints_api.router),
    ("/consultations", "consultations", consultations_api.router),
    ("/facilities", "facilities", facilities_api.router),
    ("/inspections", "inspections", inspections_api.router),
    ("/training", "training", training_api.router),
    ("/visits", "visits", visits_api.router),
    ("/kpi", "kpi", kpi_api.router),
    ("/kpi", "kpi", kpi_year_api.router),  # the year's pack (kpi/api.py is full)
    ("/evaluations", "evaluations", evaluations_api.router),
]:
    api.add_router(prefix, router, tags=[app])
