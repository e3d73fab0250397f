from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from staff.models import DutyShift

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def png(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def fake_exe(name="photo.png"):
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 64, content_type="image/png")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture
def iw(world):
    """The world plus an external shopper and a supervisor on duty."""
    from inspections.visit_services import shopper_create

    shopper = shopper_create(
        region=world["region"], username="shopper1", password="Shop!per2026x", actor=world["inspector"]
    )
    world["shopper"] = shopper.user
    return world


def all_pass(snapshot, **overrides):
    answers = {}
    for item in snapshot:
        if item["response_type"] == "pass_fail":
            answers[item["code"]] = {"result": "pass"}
        elif item["response_type"] == "score":
            answers[item["code"]] = {"score": item["max_score"]}
        else:
            answers[item["code"]] = {"number": 5}
    answers.update(overrides)
    return answers


_ = (io, DutyShift)
