"""Auth policy (等保 profile, BIZ-3 "system account passwords are changed periodically"): validators, 90-day
forced change, per-account lock-out, idle timeout, absolute lifetime, deactivation ends sessions.
All through real login POSTs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from staff.models import HallRole, StaffProfile, UserSession
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.password_aging]

LOGIN = "/accounts/login/"
CHANGE = "/accounts/password-change/"


@pytest.fixture
def clerk(db):
    hall = f.hall()
    return f.user("policy_clerk", hall_roles=[(hall, HallRole.CLERK)])


def _login(client, username="policy_clerk", password=f.PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def _change(client, old, new):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


def test_login_with_right_password_reaches_home(client, clerk):
    response = _login(client)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert UserSession.objects.filter(user=clerk).count() == 1


@pytest.mark.parametrize(
    ("new", "fragment"),
    [
        ("Ab1!", "太短"),  # length < 8
        ("abcdefgh12", "至少3类"),  # two classes
        ("ABCDEFGHJK", "至少3类"),
    ],
)
def test_weak_password_is_refused_next_to_the_field(client, clerk, new, fragment):
    _login(client)
    response = _change(client, f.PASSWORD, new)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("new_password2", []))
    assert fragment in errors
    clerk.refresh_from_db()
    assert clerk.check_password(f.PASSWORD)  # nothing saved


def test_strong_password_is_accepted_and_resets_the_clock(client, clerk):
    StaffProfile.objects.filter(user=clerk).update(password_changed_at=timezone.now() - timedelta(days=30))
    _login(client)
    response = _change(client, f.PASSWORD, "Xy7#kLm9pq")
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("Xy7#kLm9pq")
    assert clerk.staff_profile.password_changed_at > timezone.now() - timedelta(minutes=1)


def test_none_of_the_last_five_passwords_may_be_reused(client, clerk):
    _login(client)
    # The fixture's own password is a common shape (test + pass) the 等保 list refuses: start the history after it.
    passwords = [f.PASSWORD] + [f"Neu{i}#Pass{i}x" for i in range(1, 7)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert _change(client, old, new).status_code == 302
    current = passwords[-1]
    # The last five used: passwords[2..6] (current included) are refused...
    for reused in passwords[2:]:
        response = _change(client, current, reused)
        assert response.status_code == 200
        assert "最近5次" in " ".join(response.context["form"].errors["new_password2"])
    # ...the sixth-last may come back.
    assert _change(client, current, passwords[1]).status_code == 302


def test_flagged_account_must_change_password_before_anything_else(client, clerk):
    StaffProfile.objects.filter(user=clerk).update(must_change_password=True)
    _login(client)
    response = client.get(reverse("halls:list"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    assert client.get(CHANGE).status_code == 200
    assert _change(client, f.PASSWORD, "Brand#New2026").status_code == 302
    assert client.get(reverse("halls:list")).status_code == 200


def test_password_older_than_90_days_forces_a_change(client, clerk, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=91))
    _login(client)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")


def test_password_89_days_old_is_still_fine(client, clerk, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=89))
    _login(client)
    assert client.get(reverse("home")).status_code == 200


def test_five_failures_lock_the_account_even_with_the_right_password(client, clerk):
    other = f.user("policy_other", hall_roles=[(f.hall(), HallRole.CLERK)])
    for _ in range(5):
        assert _login(client, password="Wrong#Pass1").status_code in (200, 429)
    locked = _login(client)
    assert locked.status_code == 429
    assert "账号已锁定" in locked.content.decode()
    # Per account, not per address: a colleague behind the same NAT still signs in.
    assert _login(client, username=other.username).status_code == 302


def test_four_failures_then_success_resets_the_counter(client, clerk):
    for _ in range(4):
        _login(client, password="Wrong#Pass1")
    assert _login(client).status_code == 302


def test_idle_session_is_ended(client, clerk, time_machine, settings):
    time_machine.move_to(timezone.now(), tick=False)
    _login(client)
    assert client.get(reverse("home")).status_code == 200
    time_machine.shift(timedelta(seconds=settings.TINGWU_SESSION_IDLE_SECONDS + 5))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "idle=1" in response["Location"]
    assert client.get(reverse("home")).status_code == 302


def test_active_session_still_ends_at_its_absolute_lifetime(client, clerk, time_machine, settings):
    time_machine.move_to(timezone.now(), tick=False)
    _login(client)
    step = timedelta(seconds=settings.TINGWU_SESSION_IDLE_SECONDS - 60)
    elapsed = timedelta(0)
    while elapsed + step < timedelta(seconds=settings.SESSION_COOKIE_AGE):
        time_machine.shift(step)
        elapsed += step
        assert client.get(reverse("home")).status_code == 200
    time_machine.shift(step)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "expired=1" in response["Location"]


def test_deactivating_a_user_ends_their_sessions(client, clerk):
    _login(client)
    keys = list(UserSession.objects.filter(user=clerk).values_list("session_key", flat=True))
    assert keys and Session.objects.filter(session_key__in=keys).exists()
    clerk.is_active = False
    clerk.save()
    assert not Session.objects.filter(session_key__in=keys).exists()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_session_key_after_password_change_is_tracked_and_ended_too(client, clerk):
    _login(client)
    _change(client, f.PASSWORD, "After#Change26")
    client.get(reverse("home"))
    current = client.session.session_key
    assert UserSession.objects.filter(user=clerk, session_key=current).exists()
    clerk.is_active = False
    clerk.save()
    assert not Session.objects.filter(session_key=current).exists()


def test_login_form_errors_keep_the_username(client, clerk):
    response = _login(client, password="")
    assert response.status_code == 200
    assert 'value="policy_clerk"' in response.content.decode()
