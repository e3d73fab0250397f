"""The staff-session authentication of the API (django-ninja), shared by every router without import cycles."""

from __future__ import annotations

from ninja.security import SessionAuth


class StaffSession(SessionAuth):
    """Django's session cookie, CSRF-checked — but only when there is a session to protect.

    ninja's ``SessionAuth`` runs the CSRF check before it looks for the cookie, so a device whose token was revoked
    (no session at all) was answered 403 "CSRF check Failed" instead of 401 "unauthorized"."""

    def _get_key(self, request):
        if not request.COOKIES.get(self.param_name):
            return None
        return super()._get_key(request)


staff_session = StaffSession()
