"""Forms for the consultation pages (shape checks; the rules live in the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import BusinessType
from consultations.models import ReplyMethod


class RecordForm(forms.Form):
    customer_name = forms.CharField(label=_("客户姓名"), max_length=100)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    business_type = forms.ModelChoiceField(
        label=_("业务类型（可选）"),
        queryset=BusinessType.objects.none(),
        required=False,
        empty_label=_("不指定"),
    )
    question = forms.CharField(label=_("咨询问题"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, hall=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = BusinessType.objects.filter(is_active=True)
        self.fields["business_type"].queryset = qs.filter(halls=hall) if hall is not None else qs


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    method = forms.ChoiceField(label=_("答复方式"), choices=ReplyMethod.choices, initial=ReplyMethod.PHONE)


class RespondForm(forms.Form):
    answer = forms.CharField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    complex_ = forms.BooleanField(label=_("复杂问题，需48小时内解决"), required=False)
