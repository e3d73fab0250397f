"""Forms for the home-visit pages (shape checks; the rules live in the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import BusinessType
from staff.models import HallAssignment
from visits.models import AuthorisationMethod, Authoriser, Outcome, Reason
from visits.services import VISITOR_ROLES

_DT = {"type": "datetime-local"}


class BookForm(forms.Form):
    reason = forms.ChoiceField(label=_("上门原因"), choices=Reason.choices)
    agreement_reference = forms.CharField(
        label=_("集团协议编号（集团客户必填）"), max_length=64, required=False
    )
    customer_name = forms.CharField(label=_("客户姓名"), max_length=100)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("上门地址"), max_length=300, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    business_type = forms.ModelChoiceField(
        label=_("业务类型（可选）"), queryset=BusinessType.objects.none(), required=False
    )
    content = forms.CharField(label=_("服务内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    preferred_time = forms.DateTimeField(
        label=_("客户期望时间（可选）"),
        required=False,
        widget=forms.DateTimeInput(attrs=_DT, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, hall=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = BusinessType.objects.filter(is_active=True)
        self.fields["business_type"].queryset = qs.filter(halls=hall) if hall is not None else qs


class ConfirmForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("与客户确认的上门时间"), widget=forms.DateTimeInput(attrs=_DT, format="%Y-%m-%dT%H:%M")
    )
    content = forms.CharField(
        label=_("确认的服务内容（不改可留空）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    note = forms.CharField(label=_("备注"), max_length=500, required=False)


class AuthoriseForm(forms.Form):
    authoriser = forms.ChoiceField(label=_("授权人身份"), choices=Authoriser.choices)
    authoriser_name = forms.CharField(label=_("授权人姓名"), max_length=100)
    method = forms.ChoiceField(label=_("授权方式"), choices=AuthorisationMethod.choices)
    authorised_at = forms.DateTimeField(
        label=_("授权时间"), widget=forms.DateTimeInput(attrs=_DT, format="%Y-%m-%dT%H:%M")
    )


class AssignForm(forms.Form):
    clerk = forms.TypedChoiceField(label=_("上门员工"), coerce=int)

    def __init__(self, *args, hall=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = {}
        if hall is not None:
            for a in HallAssignment.objects.filter(
                hall=hall, role__in=VISITOR_ROLES, user__is_active=True
            ).select_related("user__staff_profile"):
                p = getattr(a.user, "staff_profile", None)
                choices.setdefault(a.user_id, f"{p.full_name}({p.employee_number})" if p else a.user.username)
        self.fields["clerk"].choices = list(choices.items())


class ResultForm(forms.Form):
    outcome = forms.ChoiceField(label=_("办理结果"), choices=Outcome.choices)
    result = forms.CharField(label=_("结果说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=500)
