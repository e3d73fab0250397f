"""The pause form of a clock: a reason is required (it goes into the clock's event log)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ClockPauseForm(forms.Form):
    reason = forms.CharField(
        label=_("暂停原因"),
        max_length=255,
        help_text=_("例如：等待客户提供账单截图"),
        error_messages={"required": _("请填写暂停原因")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
