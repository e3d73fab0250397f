from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from facilities.models import Facility, FacilityKind
from floor import bus

SH = ZoneInfo("Asia/Shanghai")
# A Monday, before opening.
T0 = datetime(2026, 12, 7, 8, 0, tzinfo=SH)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name="p.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def fresh_bus():
    backend = bus.InProcessBackend(maxlen=200)
    previous = bus.set_backend(backend)
    yield backend
    bus.set_backend(previous)


@pytest.fixture
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def make_facility(hall, owner, *, kind=FacilityKind.WATER, code=None, label="饮水机", token=None):
    n = Facility.objects.count() + 1
    return Facility.objects.create(
        hall=hall,
        kind=kind,
        asset_code=code or f"AS{n:04d}",
        label=label,
        location="等候区东侧",
        responsible=owner,
        api_token=token,
        created_at=datetime(2026, 1, 1, tzinfo=SH),
    )


@pytest.fixture
def fac(world):
    hall = world["hall_a"]
    owner = world["manager_a"]
    return {
        "water": make_facility(hall, owner, kind=FacilityKind.WATER, label="饮水机1"),
        "seats1": make_facility(hall, owner, kind=FacilityKind.SEATS, label="等候座椅A排"),
        "seats2": make_facility(hall, owner, kind=FacilityKind.SEATS, label="等候座椅B排"),
        "kiosk": make_facility(hall, owner, kind=FacilityKind.QUEUE_KIOSK, label="取号机1"),
    }
