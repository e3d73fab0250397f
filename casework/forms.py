"""The case file's forms: the audited reveal of the contact (shape checks only; the rule is in the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RevealForm(forms.Form):
    """The audited reveal of a contact's name, phone or address (CMP-2.1 / BIZ-2.1 callbacks, BIZ-1.2 visits):
    POSTed, never in a URL."""

    field = forms.ChoiceField(label=_("查看字段"))
    reason = forms.CharField(
        label=_("查看原因"),
        max_length=255,
        required=False,
        help_text=_("例如：回访客户。每次查看都会记录在个人信息访问审计中。"),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = choices
