"""Pages turn access errors into Django's 404/403 responses (the API maps ServiceError itself)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from lib.errors import Forbidden, NotFound
from staff import access


def require(user, capability: str, hall=None) -> None:
    try:
        access.require(user, capability, hall)
    except NotFound as exc:
        raise Http404 from exc
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from exc
