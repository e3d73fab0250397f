"""Forms for the complaint pages: shape checks only; the rules live in the services (errors come back per field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import BusinessType
from complaints.models import Channel, CustomerResponse, Kind, NoticeMethod, Responsibility

STAFF_CHANNELS = [(Channel.ONSITE, Channel.ONSITE.label), (Channel.PHONE, Channel.PHONE.label)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(label=_("投诉渠道"), choices=STAFF_CHANNELS, initial=Channel.ONSITE)
    complainant_name = forms.CharField(label=_("投诉人姓名"), max_length=100)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    business_type = forms.ModelChoiceField(
        label=_("业务类型"), queryset=BusinessType.objects.none(), empty_label=_("请选择业务类型")
    )
    demand = forms.CharField(label=_("投诉诉求"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    related_reference = forms.CharField(label=_("关联业务单号/票号（可选）"), max_length=64, required=False)
    evidence = MultipleFileField(
        label=_("证据（可选，图片或PDF，每个不超过10MB）"),
        required=False,
        help_text=_("如业务凭证、通话截图"),
    )

    def __init__(self, *args, hall=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = BusinessType.objects.filter(is_active=True)
        if hall is not None:
            qs = qs.filter(halls=hall)
        self.fields["business_type"].queryset = qs


class ClassifyForm(forms.Form):
    kind = forms.ChoiceField(label=_("投诉分类"), choices=Kind.choices)
    reason = forms.CharField(label=_("说明（改变分类时必填）"), max_length=500, required=False)


class ContactForm(forms.Form):
    note = forms.CharField(label=_("联系情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class TaskForceForm(forms.Form):
    leader = forms.ModelChoiceField(label=_("组长"), queryset=None, empty_label=_("请选择组长"))
    members = forms.ModelMultipleChoiceField(label=_("组员"), queryset=None, required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args, hall=None, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.filter(hall_assignments__hall=hall).distinct().order_by("username")
        self.fields["leader"].queryset = staff
        self.fields["members"].queryset = staff
        label = lambda u: str(getattr(u, "staff_profile", None) or u.get_username())  # noqa: E731
        self.fields["leader"].label_from_instance = label
        self.fields["members"].label_from_instance = label


class ProgressForm(forms.Form):
    progress = forms.CharField(
        label=_("反馈给客户的进展"), widget=forms.Textarea(attrs={"rows": 2}), max_length=300
    )
    by_sms = forms.BooleanField(label=_("同时短信告知客户"), required=False, initial=True)


class SolveForm(forms.Form):
    FAULT_CHOICES = [
        ("yes", _("公司存在过错：致歉并承担责任")),
        ("no", _("诉求超出政策：说明政策依据并提供替代方案")),
    ]

    cause = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    solution = forms.CharField(label=_("解决方案"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    compensation = forms.CharField(label=_("补偿（如有）"), max_length=1000, required=False)
    follow_up = forms.CharField(label=_("后续承诺"), max_length=1000, required=False)
    responsibility = forms.ChoiceField(label=_("责任归属"), choices=Responsibility.choices)
    company_at_fault = forms.ChoiceField(label=_("处理原则"), choices=FAULT_CHOICES, widget=forms.RadioSelect)
    apologised = forms.BooleanField(label=_("已向客户致歉"), required=False)
    policy_basis = forms.CharField(label=_("政策依据"), max_length=1000, required=False)
    alternative = forms.CharField(label=_("替代方案"), max_length=1000, required=False)
    notify_by = forms.ChoiceField(
        label=_("告知客户"),
        choices=[("", _("稍后告知")), *NoticeMethod.choices],
        required=False,
        initial=NoticeMethod.SMS,
    )


class NotifyForm(forms.Form):
    method = forms.ChoiceField(label=_("告知方式"), choices=NoticeMethod.choices)


class CloseForm(forms.Form):
    customer_response = forms.ChoiceField(label=_("客户反馈"), choices=CustomerResponse.choices)
    # 客户不认可 (issue 10 §2): the service requires both a confirmation and the next step.
    next_step = forms.ChoiceField(
        label=_("客户不认可时的下一步"),
        choices=[
            ("", _("（客户认可时不选）")),
            ("reopen", _("重新处理（重新打开，重新计时）")),
            ("escalate", _("上报区域质检员复核")),
        ],
        required=False,
    )
    confirmed = forms.BooleanField(label=_("我已与客户确认：客户不认可处理结果"), required=False)
    note = forms.CharField(label=_("说明（客户不认可时必填）"), max_length=500, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新打开原因"), max_length=500)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class EvidenceForm(forms.Form):
    evidence = MultipleFileField(label=_("补充证据（图片或PDF，每个不超过10MB）"))
