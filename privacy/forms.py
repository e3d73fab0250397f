from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lib.errors import ServiceError
from privacy.services import REVEALABLE_FIELDS, validate_phone

FIELD_LABELS = {"name": _("姓名"), "mobile": _("手机号"), "id_number": _("身份证号")}


class PhoneSearchForm(forms.Form):
    # Posted, never in a query string: a phone number must not reach URLs or access logs.
    mobile = forms.CharField(label=_("手机号"), max_length=20)

    def clean_mobile(self):
        try:
            return validate_phone(self.cleaned_data["mobile"])
        except ServiceError as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from None


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        label=_("字段"), choices=[(f, FIELD_LABELS[f]) for f in sorted(REVEALABLE_FIELDS)]
    )
    reason = forms.CharField(label=_("查看原因"), max_length=255, min_length=2)


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("查看人"), max_length=150, required=False)
    hall = forms.ModelChoiceField(label=_("营业厅"), queryset=None, required=False, empty_label=_("全部"))
    field = forms.ChoiceField(
        label=_("字段"),
        required=False,
        choices=[("", _("全部"))] + [(f, FIELD_LABELS[f]) for f in sorted(REVEALABLE_FIELDS)],
    )
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, halls, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = halls

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("user"):
            qs = qs.filter(user__username__icontains=data["user"])
        if data.get("hall"):
            qs = qs.filter(hall=data["hall"])
        if data.get("field"):
            qs = qs.filter(field=data["field"])
        if data.get("date_from"):
            qs = qs.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(at__date__lte=data["date_to"])
        return qs


AUDIT_COLUMNS = [
    (_("时间"), lambda log: log.at),
    (_("查看人"), lambda log: log.user.username),
    (_("营业厅"), lambda log: log.hall.code if log.hall else ""),
    (_("对象类型"), lambda log: log.subject_type),
    (_("对象编号"), lambda log: log.subject_id),
    (_("字段"), lambda log: log.field),
    (_("查看原因"), lambda log: log.reason),
    (_("来源地址"), lambda log: log.ip_address or ""),
]
