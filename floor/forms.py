from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from floor.models import AnnouncementKind, IncidentKind

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AnnouncementForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=AnnouncementKind.choices)
    title = forms.CharField(label=_("标题"), max_length=80)
    body = forms.CharField(label=_("内容"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = forms.DateTimeField(label=_("生效时间（留空为立即）"), required=False, widget=_DT)
    ends_at = forms.DateTimeField(label=_("失效时间（留空为长期）"), required=False, widget=_DT)
    consult_phone = forms.CharField(label=_("咨询电话"), max_length=32, required=False)
    consult_wecom = forms.CharField(label=_("企业微信咨询"), max_length=100, required=False)
    consult_window = forms.CharField(label=_("咨询窗口"), max_length=100, required=False)


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
