from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inspections.demo import png_bytes

PNG = png_bytes()


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


@pytest.fixture(autouse=True)
def _item_bank(request):
    """Seed the item bank for database tests (a transactional test elsewhere may have flushed the migration's
    rows)."""
    if "world" not in request.fixturenames:
        return
    request.getfixturevalue("world")
    from inspections.bank import seed_now

    seed_now()
