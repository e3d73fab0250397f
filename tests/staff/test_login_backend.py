"""The staff login backend (issue 14): the user and staff profile rows in one query per request, sessions opened
with Django's ModelBackend before the switch still valid, a wrong password hashed once and counted by axes once."""

from __future__ import annotations

from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from staff.models import HallRole
from tests import factories as f

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
OLD_BACKEND = "django.contrib.auth.backends.ModelBackend"
NEW_BACKEND = "staff.backends.StaffModelBackend"


@pytest.fixture
def clerk(db):
    return f.user("backend_clerk", hall_roles=[(f.hall(), HallRole.CLERK)])


def _profile_reads(queries) -> list[str]:
    return [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "staff_staffprofile"' in q["sql"]
    ]


def test_login_stores_the_staff_backend_in_the_session(client, clerk):
    response = client.post(LOGIN, {"username": "backend_clerk", "password": f.PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == NEW_BACKEND


def test_a_request_reads_the_user_and_profile_in_one_query(client, clerk):
    """STF-1 (forced password change checked on each request): the profile rides on the user's row."""
    client.post(LOGIN, {"username": "backend_clerk", "password": f.PASSWORD})
    client.get(reverse("home"))  # the session's activity stamp and tracking row are in place after this
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home")).status_code == 200
    user_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "auth_user"' in q["sql"]]
    assert len(user_reads) == 1 and '"staff_staffprofile"."must_change_password"' in user_reads[0]
    assert _profile_reads(ctx.captured_queries) == [], "\n".join(user_reads)


def test_a_session_opened_with_the_old_backend_stays_logged_in(client, clerk):
    """Sessions store their backend's path; one opened before the switch must not be logged out by it."""
    client.force_login(clerk, backend=OLD_BACKEND)
    assert client.session[BACKEND_SESSION_KEY] == OLD_BACKEND
    response = client.get(reverse("home"))
    assert response.status_code == 200 and response.wsgi_request.user == clerk


def test_the_old_backends_session_still_meets_the_forced_password_change(client, clerk):
    """STF-1: the profile read separately for such a session still forces the change."""
    clerk.staff_profile.must_change_password = True
    clerk.staff_profile.save()
    client.force_login(clerk, backend=OLD_BACKEND)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")


def test_a_wrong_password_is_checked_once_and_counted_once(client, clerk):
    """BIZ-3 lock-out: one failed attempt is one failure for axes; ModelBackend, listed after the staff backend,
    does not hash the same wrong password a second time."""
    with mock.patch.object(
        ModelBackend, "authenticate", autospec=True, side_effect=ModelBackend.authenticate
    ) as spy:
        response = client.post(LOGIN, {"username": "backend_clerk", "password": "wrong-Password-1"})
    assert response.status_code == 200  # the form again, with its error
    assert spy.call_count == 1
    assert AccessAttempt.objects.get(username="backend_clerk").failures_since_start == 1


def test_an_inactive_user_cannot_log_in(client, clerk):
    clerk.is_active = False
    clerk.save()
    response = client.post(LOGIN, {"username": "backend_clerk", "password": f.PASSWORD})
    assert response.status_code == 200 and BACKEND_SESSION_KEY not in client.session
