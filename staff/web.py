"""Glue between the access layer and the web/API layers: one place that turns domain errors into HTTP answers
and that tells the API who is calling (a staff session or a hall-bound device token)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, JsonResponse
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext_lazy as _

from lib.errors import Forbidden, NotFound, ServiceError


class AccessErrorMiddleware(MiddlewareMixin):
    """The one web edge for access errors (issue 9 §4): a hall or record the user cannot see is a 404 (no
    existence leak), a missing right a 403 — JSON ``{code, message, message_en}`` under /api/, Django's error page
    otherwise. Views and services just raise ``staff.access``'s ``NotFound`` / ``Forbidden`` (or Django's
    ``Http404`` / ``PermissionDenied``); the API's own ``ServiceError`` handler (tingwu.api) answers first there."""

    def process_exception(self, request, exception):
        status = _access_status(exception)
        if status is None:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(_api_body(exception, status), status=status)
        if isinstance(exception, (Http404, PermissionDenied)):
            return None  # Django renders its own
        message = str(exception.message)
        return response_for_exception(
            request, Http404(message) if status == 404 else PermissionDenied(message)
        )


def raise_access_error(exc: ServiceError) -> None:
    """A view that catches a service's ``ServiceError`` to show it next to the field lets an access error go on to
    the middleware above (404 / 403), so every view answers them alike."""
    if _access_status(exc) is not None:
        raise exc


def _access_status(exception) -> int | None:
    if isinstance(exception, Http404):
        return 404
    if isinstance(exception, PermissionDenied):
        return 403
    if isinstance(exception, ServiceError) and exception.status in (403, 404):
        return exception.status
    return None


def _api_body(exception, status: int) -> dict:
    if isinstance(exception, ServiceError):
        return {"code": exception.code, **exception.messages()}
    if status == 404:
        error = NotFound("not_found", _("记录不存在或无权查看"))
    else:
        error = Forbidden("forbidden", _("您没有执行此操作的权限"))
    return {"code": error.code, **error.messages()}


def client_ip(request) -> str | None:
    # Behind the hall's reverse proxy REMOTE_ADDR is the proxy; we do not trust X-Forwarded-For blindly.
    return request.META.get("REMOTE_ADDR") or None


# --- API ---------------------------------------------------------------------------------------------------


def api_token(request):
    """The ApiToken when a device called, else None (a staff session)."""
    return getattr(request, "api_token", None)


def api_staff_user(request):
    """The signed-in staff user; device tokens are refused with a stable 403."""
    if api_token(request) is not None:
        raise Forbidden("device_not_allowed", _device_message())
    return request.user


def api_halls(request):
    """Halls the caller may read: a device token sees only its own hall, staff what ``for_user`` allows."""
    from halls.models import Hall

    token = api_token(request)
    if token is not None:
        return Hall.objects.filter(pk=token.hall_id)
    return Hall.objects.for_user(request.user)


def _device_message():
    return _("设备令牌无权访问此接口")
