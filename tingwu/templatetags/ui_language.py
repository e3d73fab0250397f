"""``{{ zh|in_ui_language:en }}``: a row that is a dict (a selector's or the hot path's JSON-ready row) rather than a
model with a label property shows its English column the same way (``lib.i18n.in_ui_language``)."""

from __future__ import annotations

from django import template

from lib.i18n import in_ui_language as _in_ui_language

register = template.Library()


@register.filter
def in_ui_language(zh, en):
    return _in_ui_language(zh, en)
