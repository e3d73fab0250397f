from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Materials go to a per-test private folder, never to var/private."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def plan(world):
    """Plan a session in hall A as manager_a (keyword overrides)."""
    from training.services import session_create

    def make(start: datetime, **kw):
        args = {
            "hall": world["hall_a"],
            "kind": "briefing",
            "title": "新业务解读:5G-A套餐",
            "starts_at": start,
            "ends_at": start + timedelta(hours=1),
            "actor": world["manager_a"],
            "trainer": world["manager_a"],
        }
        args.update(kw)
        return session_create(**args)

    return make
