"""Masked display of personal information (BIZ-3): what staff see by default."""

from __future__ import annotations


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
