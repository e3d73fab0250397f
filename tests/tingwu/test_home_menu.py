"""The home page lists each group of entries once (a manager sees every group of their role together)."""

from __future__ import annotations

import re

import pytest

from staff.models import HallRole
from tests import factories as f


@pytest.mark.django_db
def test_each_menu_group_heading_appears_once(client, standard_v1):
    h = f.hall()
    client.force_login(f.user(hall_roles=[(h, HallRole.HALL_MANAGER)]))
    html = client.get("/").content.decode()
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert len(headings) >= 4
    assert len(headings) == len(set(headings)), headings
