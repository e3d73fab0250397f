from __future__ import annotations

from datetime import datetime

import pytest

from kpi.definitions import SHANGHAI


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


def sh(*args) -> datetime:
    """An Asia/Shanghai instant."""
    return datetime(*args, tzinfo=SHANGHAI)
