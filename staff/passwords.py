"""Password policy, 等保 profile by default: length, character classes, no reuse, periodic change."""

from __future__ import annotations

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _classes(password: str) -> int:
    kinds = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c in string.digits for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(kinds)


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if _classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、符号中的至少%(n)d类") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("密码须包含小写字母、大写字母、数字、符号中的至少%(n)d类") % {"n": self.min_classes}


class HistoryValidator:
    def __init__(self, history: int = 5):
        self.history = history

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        # "The last N" counts the current password as one of them.
        previous = user.password_history.order_by("-created_at", "-pk").values_list("password", flat=True)
        hashes = list(previous[: max(self.history - 1, 0)])
        if user.password:
            hashes.append(user.password)
        if any(check_password(password, h) for h in hashes):
            raise ValidationError(
                _("不能使用最近%(n)d次用过的密码") % {"n": self.history}, code="password_reused"
            )

    def get_help_text(self):
        return _("不能使用最近%(n)d次用过的密码") % {"n": self.history}
