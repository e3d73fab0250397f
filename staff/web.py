"""Glue between the access layer and the web/API layers: one place that turns domain errors into HTTP answers
and that tells the API who is calling (a staff session or a hall-bound device token)."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from lib.errors import Forbidden, NotFound


def access_errors(view):
    """Pages: a hall the user cannot see is a 404 (no existence leak), a missing right a 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from None
        except Forbidden as exc:
            raise PermissionDenied(str(exc.message)) from None

    return wrapper


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
    from django.utils.translation import gettext_lazy as _

    return _("设备令牌无权访问此接口")
