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


# --- 等保 profile: common passwords, the user's name in pinyin, one-digit variations ----------------------------

_KEYBOARD = (
    "qwerty",
    "qwer",
    "asdf",
    "asdfgh",
    "zxcv",
    "qazwsx",
    "abc",
    "abcd",
    "abcde",
    "abcdef",
    "1qaz",
    "2wsx",
)
# Words Chinese users pick that Django's (English) list lacks.
_LOCAL_COMMON = (
    "woaini",
    "aini",
    "nihao",
    "zhongguo",
    "china",
    "admin",
    "root",
    "test",
    "guest",
    "user",
    "tingwu",
)


def _common_words() -> frozenset[str]:
    from django.contrib.auth.password_validation import CommonPasswordValidator

    return frozenset(CommonPasswordValidator().passwords) | frozenset(_KEYBOARD) | frozenset(_LOCAL_COMMON)


_common_cache: frozenset[str] | None = None


def _letters(password: str) -> str:
    return "".join(c for c in password.lower() if c.isalpha())


class CommonPasswordPatternValidator:
    """Breached-password shapes that pass the length and class rules: a common word or keyboard run dressed up with
    capitals, digits and symbols (``Admin@123``, ``Qwerty123!``, ``Abc@1234``), or the user's name in pinyin
    (``Zhangsan@2026``, ``zs@123456``). Django's CommonPasswordValidator (the full list) runs beside it."""

    def validate(self, password, user=None):
        global _common_cache
        if _common_cache is None:
            _common_cache = _common_words()
        core = _letters(password)
        lowered = password.lower()
        if (
            lowered in _common_cache
            or (core and core in _common_cache)
            or any(k in lowered for k in _KEYBOARD[:5])
        ):
            raise ValidationError(
                _("密码过于常见，请勿使用常见单词、键盘序列加数字符号的组合"), code="password_too_common"
            )
        for name in _name_forms(user):
            if len(name) >= 2 and name in core:
                raise ValidationError(_("密码不能包含您姓名的拼音"), code="password_has_name")

    def get_help_text(self):
        return _("不能使用常见密码或您姓名的拼音")


def _name_forms(user) -> list[str]:
    """The user's name as pinyin: full (zhangsan), surname + given name initials (zhangs), initials (zs)."""
    profile = getattr(user, "staff_profile", None) if user is not None else None
    name = (getattr(profile, "full_name", "") or "") if profile is not None else ""
    name = name or (
        (user.get_full_name() if user is not None and hasattr(user, "get_full_name") else "") or ""
    )
    if not name:
        return []
    from pypinyin import lazy_pinyin

    syllables = [s.lower() for s in lazy_pinyin(name) if s.isascii() and s.isalpha()]
    if not syllables:
        return []
    forms = {
        "".join(syllables),
        "".join(s[0] for s in syllables),
        syllables[0] + "".join(s[0] for s in syllables[1:]),
    }
    if len(syllables) > 1:
        forms.add("".join(syllables[1:]))  # the given name alone
    return sorted(forms, key=len, reverse=True)


def differs_by_one_digit(new: str, old: str) -> bool:
    """True when ``new`` is ``old`` with one digit changed, added or removed (Tingwu@2026 → Tingwu@2027)."""
    if not new or not old or new == old:
        return False
    if len(new) == len(old):
        diff = [(a, b) for a, b in zip(new, old, strict=True) if a != b]
        return len(diff) == 1 and diff[0][0].isdigit() and diff[0][1].isdigit()
    longer, shorter = (new, old) if len(new) > len(old) else (old, new)
    if len(longer) - len(shorter) != 1:
        return False
    return any(longer[i].isdigit() and longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


class PreviousPasswordVariationValidator:
    """Refuse a new password that differs from the previous one by a single digit. Only the plain old password
    shows that (hashes cannot be compared by shape): the password-change form hands it over as
    ``user._tingwu_old_password`` after checking it."""

    def validate(self, password, user=None):
        old = getattr(user, "_tingwu_old_password", None) if user is not None else None
        if old and differs_by_one_digit(password, old):
            raise ValidationError(_("新密码不能只比原密码改动一位数字"), code="password_one_digit")

    def get_help_text(self):
        return _("新密码不能只比原密码改动一位数字")
