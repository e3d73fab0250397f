from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Evidence goes to a per-test private folder, never to var/private."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def intake(world):
    """Record a complaint at hall A's window as clerk_a (keyword overrides)."""
    from complaints.models import Channel
    from complaints.services import complaint_intake

    def make(**kw):
        args = {
            "hall": world["hall_a"],
            "channel": Channel.ONSITE,
            "complainant_name": "张桂兰",
            "contact_phone": "13800138001",
            "demand": "上月办理的套餐变更一直没生效,还被重复扣费了30元,要求退还",
            "business_type": world["basic"],
            "actor": world["clerk_a"],
        }
        args.update(kw)
        return complaint_intake(**args)

    return make
