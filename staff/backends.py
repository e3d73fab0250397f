"""The staff login backend: Django's ``ModelBackend`` whose session look-up brings the staff profile in the same
statement (issue 14). Every staff request reads the profile — the session policy's forced password change
(``staff.middleware.password_change_required``) — so the user and profile rows cost one query, not two."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

UserModel = get_user_model()


class StaffModelBackend(ModelBackend):
    """Listed before ``ModelBackend`` in ``AUTHENTICATION_BACKENDS``; ``ModelBackend`` stays listed after it only
    because a session stores its backend's path and Django ends a session whose path is no longer listed — the
    sessions opened before this backend existed keep working (and read the profile separately) until they end."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and username is not None and password is not None:
            # Stop here: otherwise ModelBackend, next in the list, hashes the same wrong password a second time
            # (twice the CPU per failed login in a burst). Django treats PermissionDenied as "credentials
            # refused" and still sends user_login_failed once, which axes counts.
            raise PermissionDenied
        return user

    def _users(self):
        return UserModel._default_manager.select_related("staff_profile")

    def get_user(self, user_id):
        try:
            user = self._users().get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        try:
            user = await self._users().aget(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
