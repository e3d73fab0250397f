"""Session policy: inactivity timeout, forced password change (expired or flagged)."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

_EXEMPT_PREFIXES = (
    "/static/",
    "/healthz",
    "/api/",
    "/accounts/logout",
    "/accounts/password-change",
    "/i18n/",
    "/d/",
    "/t/",
)


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_EXEMPT_PREFIXES[:2]):
            now = time.time()
            last = request.session.get("last_activity")
            if last is not None and now - last > settings.TINGWU_SESSION_IDLE_SECONDS:
                logout(request)
                return redirect(f"{reverse('login')}?next={request.path}&idle=1")
            request.session["last_activity"] = now
            if not request.path.startswith(_EXEMPT_PREFIXES) and password_change_required(user):
                return redirect("password_change")
        return self.get_response(request)


def password_change_required(user) -> bool:
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return False
    if profile.must_change_password:
        return True
    max_age = settings.TINGWU_PASSWORD_MAX_AGE_DAYS
    return bool(max_age) and profile.password_changed_at < timezone.now() - timedelta(days=max_age)
