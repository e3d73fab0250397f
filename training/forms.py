"""Forms for the training pages (shape checks; the rules live in the services)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from staff.models import HallAssignment
from training.models import SessionKind
from training.selectors import TRAINEE_ROLES


def _staff_choices(hall, roles=None):
    qs = HallAssignment.objects.filter(hall=hall, user__is_active=True).select_related("user__staff_profile")
    if roles:
        qs = qs.filter(role__in=roles)
    seen = {}
    for a in qs.order_by("user__staff_profile__employee_number"):
        profile = getattr(a.user, "staff_profile", None)
        seen.setdefault(
            a.user_id,
            f"{profile.full_name}{_('（')}{profile.employee_number}{_('）')}" if profile else a.user.username,
        )
    return list(seen.items())


class StaffChoiceField(forms.TypedChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=int, empty_value=None, **kwargs)


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("培训类型"), choices=SessionKind.choices)
    title = forms.CharField(label=_("培训主题"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    trainer = StaffChoiceField(label=_("讲师（本厅员工）"), required=False)
    trainer_name = forms.CharField(label=_("或外部讲师姓名"), max_length=64, required=False)
    description = forms.CharField(
        label=_("培训内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False
    )
    links = forms.CharField(
        label=_("资料链接（每行一个）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        required=False,
    )
    has_quiz = forms.BooleanField(label=_("有随堂测验"), required=False)

    def __init__(self, *args, hall=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].choices = [("", "—")] + (_staff_choices(hall) if hall else [])

    def clean_trainer(self):
        value = self.cleaned_data.get("trainer")
        return get_user_model().objects.filter(pk=value).first() if value else None


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("资料名称"), max_length=120, required=False)
    file = forms.FileField(label=_("资料文件"), required=False)
    url = forms.CharField(label=_("或资料链接"), max_length=500, required=False)


class CasesForm(forms.Form):
    numbers = forms.CharField(
        label=_("投诉编号（每行一个）"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ScoreForm(forms.Form):
    score = forms.CharField(label=_("测验成绩"), max_length=5)


class ManualForm(forms.Form):
    clerk = StaffChoiceField(label=_("补登员工"))

    def __init__(self, *args, hall=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clerk"].choices = _staff_choices(hall, TRAINEE_ROLES) if hall else []


class RetrainingForm(forms.Form):
    clerk = StaffChoiceField(label=_("员工"))
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)
    due = forms.DateField(
        label=_("完成期限（可选）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, hall=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clerk"].choices = _staff_choices(hall, TRAINEE_ROLES) if hall else []
