"""Masked display of personal information (BIZ-3): what staff see by default."""

from __future__ import annotations

import re

_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_RE = re.compile(r"(?<![\dXx])(\d{3})\d{11}(\d{3}[\dXx])(?![\dXx])")
_LONG_DIGITS_RE = re.compile(r"\d{7,}")


def mask_phone(value: str | None) -> str:
    """138****1234: keeps the first three and last four digits."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(value: str | None) -> str:
    """110***********123X: first three, last four."""
    if not value:
        return ""
    v = value.strip()
    if len(v) <= 7:
        return "*" * len(v)
    return f"{v[:3]}{'*' * (len(v) - 7)}{v[-4:]}"


def mask_name(value: str | None) -> str:
    """张** / 欧阳** : the family name (first character) stays."""
    if not value:
        return ""
    v = value.strip()
    if len(v) == 1:
        return "*"
    return v[0] + "*" * (len(v) - 1)


def mask_text(value: str | None, keep: int = 2) -> str:
    if not value:
        return ""
    return value[:keep] + "…" if len(value) > keep else "*" * len(value)


def mask_pi_in_text(text: str) -> str:
    """Mask mobile numbers, ID numbers and other long digit runs (account numbers) inside free text."""
    text = _ID_RE.sub(lambda m: f"{m.group(1)}{'*' * 11}{m.group(2)}", text or "")
    text = _PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LONG_DIGITS_RE.sub(lambda m: m.group(0)[:2] + "*" * (len(m.group(0)) - 2), text)


def mask_names_in_text(text: str, names, mask=mask_name) -> str:
    """Replace each known name (e.g. a case's own contact) inside free text by its masked form （张**）， the longest
    first so 欧阳娜娜 is masked before 欧阳. Names shorter than two characters are left: one character matches
    too much ordinary text."""
    text = text or ""
    for name in sorted({(n or "").strip() for n in names}, key=len, reverse=True):
        if len(name) >= 2:
            text = text.replace(name, mask(name))
    return text
