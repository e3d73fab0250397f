"""The idle-timeout stamp is written at most once a minute (not a session write on every request)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.backends.db import SessionStore

from staff.models import HallRole
from tests import factories as f


@pytest.mark.django_db
def test_activity_stamp_is_refreshed_once_a_minute(client, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC), tick=False)
    h = f.hall()
    client.force_login(f.user(hall_roles=[(h, HallRole.CLERK)]))
    client.get("/")
    key = client.session.session_key
    first = SessionStore(session_key=key).load()["last_activity"]
    time_machine.shift(30)
    client.get("/")
    assert SessionStore(session_key=key).load()["last_activity"] == first
    time_machine.shift(31)
    client.get("/")
    assert SessionStore(session_key=key).load()["last_activity"] > first
