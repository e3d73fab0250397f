"""Session policy: inactivity timeout, absolute lifetime, forced password change (expired or flagged), and
tracking of session keys so that deactivating a user can end every session they hold."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
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

IDLE_KEY = "last_activity"
STARTED_KEY = "session_started"
TRACKED_KEY = "tracked_session_key"
IDLE_STAMP_EVERY = 60  # seconds


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_EXEMPT_PREFIXES[:2]):
            now = time.time()
            session = request.session
            last = session.get(IDLE_KEY)
            started = session.setdefault(STARTED_KEY, now)
            idle = last is not None and now - last > settings.TINGWU_SESSION_IDLE_SECONDS
            # SESSION_COOKIE_AGE alone slides with every request (the session is saved each time), so the
            # absolute lifetime is enforced here from the moment of login.
            expired = now - started > settings.SESSION_COOKIE_AGE
            if idle or expired:
                logout(request)
                flag = "idle=1" if idle else "expired=1"
                return redirect(f"{reverse('login')}?next={quote(request.path)}&{flag}")
            # Stamping activity on every request would write the session row on every request (a DB write per
            # API call from the console); once a minute is precise enough for a 30-minute idle timeout.
            if last is None or now - last >= IDLE_STAMP_EVERY:
                session[IDLE_KEY] = now
            if not request.path.startswith(_EXEMPT_PREFIXES) and password_change_required(user):
                return redirect("password_change")
            if request.path.startswith("/api/") and password_change_required(user):
                # The API does not redirect: a stable code the console's scripts can show (and no data served).
                return JsonResponse(
                    {
                        "code": "password_change_required",
                        "message": "请先修改密码后再继续使用",
                        "message_en": "Change your password before continuing",
                    },
                    status=403,
                )
        response = self.get_response(request)
        _track_session(request)
        return response


def _track_session(request) -> None:
    """Login and password change both cycle the session key; record the current key once per key."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or session is None or not user.is_authenticated:
        return
    key = session.session_key
    if not key or session.get(TRACKED_KEY) == key:
        return
    from staff.models import UserSession

    UserSession.objects.get_or_create(session_key=key, defaults={"user": user})
    session[TRACKED_KEY] = key


def password_change_required(user) -> bool:
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return False
    if profile.must_change_password:
        return True
    max_age = settings.TINGWU_PASSWORD_MAX_AGE_DAYS
    return bool(max_age) and profile.password_changed_at < timezone.now() - timedelta(days=max_age)
