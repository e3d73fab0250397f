"""Who may call the API: the auth lists every router names (issue 9 §4).

This module imports no router, so a router imports its lists from here and ``tingwu.api`` imports the routers
plainly (no hidden cycle). Staff browser session (CSRF-checked, ``lib.apiauth``) or a device/integration bearer
token (``Authorization: Bearer tw_…`` or ``X-Device-Token``; ``request.auth`` becomes the hall-bound ApiToken).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer

from integrations.models import token_authenticate
from lib.apiauth import staff_session


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


STAFF_AUTH = [staff_session]
DEVICE_AUTH = [DeviceToken(), DeviceTokenHeader()]
# Device tokens first: a token-bearing POST must not fall into the session check (which enforces CSRF).
ANY_AUTH = [DeviceToken(), DeviceTokenHeader(), staff_session]
