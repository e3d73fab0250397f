"""Issue 10 §5 (BIZ-3, 等保): the forced password change holds on /api/ too, the password policy refuses common
breached shapes, the user's name in pinyin and a one-digit change of the old password, multipart without a
boundary is a 4xx, and DEBUG's console log of a 404 masks a phone-shaped path."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from staff.passwords import differs_by_one_digit

pytestmark = [pytest.mark.django_db, pytest.mark.password_aging]


def test_forced_password_change_is_enforced_on_the_api_with_a_stable_code(client, world):
    clerk = world["clerk_a"]
    clerk.staff_profile.must_change_password = True
    clerk.staff_profile.save()
    client.force_login(clerk)
    response = client.get("/api/v1/complaints")
    assert response.status_code == 403 and response.json()["code"] == "password_change_required"
    assert client.get(reverse("home")).status_code == 302  # pages still redirect to the change form


@pytest.mark.parametrize("password", ["Admin@123", "Qwerty123!", "Abc@1234", "Password@2026", "Woaini@520"])
def test_common_breached_passwords_are_refused(world, password):
    with pytest.raises(ValidationError):
        validate_password(password, world["clerk_a"])


def test_the_users_name_in_pinyin_is_refused(world):
    user = world["clerk_a"]
    user.staff_profile.full_name = "张桂兰"
    user.staff_profile.save()
    for password in ("Zhangguilan@26", "Zgl@20261130x", "Guilan#2026ok"):
        with pytest.raises(ValidationError) as err:
            validate_password(password, user)
        assert "password_has_name" in [e.code for e in err.value.error_list]
    validate_password("Ming#Yue2026river", user)


def test_a_one_digit_change_of_the_previous_password_is_refused(client, world):
    assert differs_by_one_digit("Tingwu@2027", "Tingwu@2026")
    assert differs_by_one_digit("Tingwu@20261", "Tingwu@2026")
    assert not differs_by_one_digit("Tingwu@2127x", "Tingwu@2026")
    user = world["clerk_a"]
    user.set_password("River#Stone2026")
    user.save()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "River#Stone2026",
            "new_password1": "River#Stone2027",
            "new_password2": "River#Stone2027",
        },
    )
    assert response.status_code == 200
    assert "只比原密码改动一位数字" in response.content.decode()


def test_multipart_without_boundary_is_a_4xx_not_a_500(client, world):
    client.force_login(world["hq"])
    client.raise_request_exception = False
    for url in ("/api/v1/complaints", reverse("complaints:intake"), reverse("standard:publish")):
        response = client.generic("POST", url, b"--x\r\n", content_type="multipart/form-data")
        assert 400 <= response.status_code < 500, (url, response.status_code)


def test_debug_console_log_of_a_404_masks_a_phone_shaped_path(settings):
    """Every handler a django.request record reaches (Django's own DEBUG console handler included) masks it."""
    from django.utils.log import configure_logging

    from privacy.logging import MaskPersonalInformationFilter

    with override_settings(DEBUG=True):
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
        try:
            handlers, logger = [], logging.getLogger("django.request")
            while logger is not None:
                handlers += logger.handlers
                logger = logger.parent if logger.propagate else None
            assert handlers
            for handler in handlers:
                if isinstance(handler, logging.StreamHandler):
                    assert any(isinstance(f, MaskPersonalInformationFilter) for f in handler.filters), handler
        finally:
            configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
