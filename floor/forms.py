from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from floor.models import AnnouncementKind, IncidentKind
from floor.signs import SIGN_KINDS, SIZES
from halls.models import Zone

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AnnouncementForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=AnnouncementKind.choices)
    title = forms.CharField(label=_("标题"), max_length=80)
    body = forms.CharField(label=_("内容"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = forms.DateTimeField(
        label=_("生效时间（临时公告必填；普通公告留空为立即）"), required=False, widget=_DT
    )
    ends_at = forms.DateTimeField(label=_("失效时间（留空为长期）"), required=False, widget=_DT)
    consult_phone = forms.CharField(label=_("咨询电话"), max_length=32, required=False)
    consult_wecom = forms.CharField(label=_("企业微信咨询"), max_length=100, required=False)
    consult_window = forms.CharField(label=_("咨询窗口"), max_length=100, required=False)


class SignForm(forms.Form):
    """ENV-3: one sign template for zone signs, business notices and tariff boards."""

    kind = forms.ChoiceField(label=_("标识类型"), choices=SIGN_KINDS)
    zone = forms.ModelChoiceField(label=_("功能区"), queryset=Zone.objects.none(), required=False)
    title = forms.CharField(label=_("标题"), max_length=40)
    text = forms.CharField(label=_("内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 6}))
    size = forms.ChoiceField(label=_("纸张"), choices=[(s, s) for s in SIZES], initial="A4", required=False)

    def __init__(self, *args, hall, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(hall=hall)

    def clean_size(self):
        return self.cleaned_data.get("size") or "A4"


class IncidentDeclareForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=IncidentKind.choices)
    minutes = forms.IntegerField(label=_("预计多少分钟后恢复"), min_value=1, max_value=480, initial=10)
    note = forms.CharField(
        label=_("情况说明（仅内部可见）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class IncidentExtendForm(forms.Form):
    minutes = forms.IntegerField(label=_("自现在起预计多少分钟后恢复"), min_value=1, max_value=480)


class IncidentEndForm(forms.Form):
    note = forms.CharField(
        label=_("处理结果（仅内部可见）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
