"""A staff member signs in through the real login page in headless Chromium."""

from __future__ import annotations

import pytest

from staff.models import HallRole
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_logs_in_and_sees_home(page, live_server):
    h = f.hall()
    f.user("pw_clerk", hall_roles=[(h, HallRole.CLERK)])
    browser_login(page, live_server, "pw_clerk")
    assert page.locator("h1").inner_text() == "工作台"
    assert h.name in page.content()
