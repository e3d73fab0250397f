"""The staff login backend: Django's ``ModelBackend`` whose session look-up brings the staff profile in the same
statement (issue 14). Every staff request reads the profile — the session policy's forced password change
(``staff.middleware.password_change_required``) — so the user and profile rows cost one query, not two; the
statement is built once per process (``lib.rows``), not compiled by the ORM on every request."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import connections, router

from lib import rows
from staff.models import StaffProfile

UserModel = get_user_model()


@cache
def _user_statement(using: str) -> str:
    q = connections[using].ops.quote_name
    user, profile = UserModel._meta.db_table, StaffProfile._meta.db_table
    on = f"{q(profile)}.{q(StaffProfile._meta.get_field('user').column)} = {q(user)}.{q(UserModel._meta.pk.column)}"
    return (
        f"SELECT {rows.select_list(UserModel, user, using)}, {rows.select_list(StaffProfile, profile, using)} "
        f"FROM {q(user)} LEFT JOIN {q(profile)} ON {on} WHERE {q(user)}.{q(UserModel._meta.pk.column)} = %s"
    )


def user_with_profile(user_id):
    """The user and their staff profile (or none), as ``select_related("staff_profile").get(pk=…)`` reads them."""
    using = router.db_for_read(UserModel)
    # user_id: already the pk's Python value (django.contrib.auth converts the session's string).
    with connections[using].cursor() as cursor:
        cursor.execute(_user_statement(using), [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    n = rows.width(UserModel)
    user = rows.hydrate(UserModel, row[:n], using)
    profile = rows.hydrate(StaffProfile, row[n:], using) if row[n] is not None else None
    # What select_related leaves: the profile cached on the user (None too: no second query for a missing one).
    UserModel.staff_profile.related.set_cached_value(user, profile)
    if profile is not None:
        StaffProfile.user.field.set_cached_value(profile, user)
    return user


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
        user = user_with_profile(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        try:
            user = await self._users().aget(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
