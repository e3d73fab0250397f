"""The one way to show data that has an English column (``name_en``, ``text_en``, ``plain_en``) in the UI's language
(issue 10 §3): models expose a label property built on ``in_ui_language``, templates and services show that property,
never ``{% if LANGUAGE_CODE == 'en' %}`` per template."""

from __future__ import annotations

from django.utils.translation import get_language


def ui_is_english() -> bool:
    return (get_language() or "").startswith("en")


def in_ui_language(zh: str, en: str | None) -> str:
    """``en`` when the active language is English and an English text is set, else the Chinese ``zh``."""
    return en if en and ui_is_english() else zh
