"""The publish form: a new version is a copy of the latest one with edited values and a start time (SUP-3)."""

from __future__ import annotations

import json
from pathlib import Path

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from standard.models import VALUE_LABELS, StandardParameter, StandardVersion

V1_PATH = Path(__file__).resolve().parent / "data" / "v1.json"


def _field_name(code: str) -> str:
    return "p__" + code.replace(".", "__")


class PublishForm(forms.Form):
    number = forms.IntegerField(label=_("版本号"), min_value=1)
    title = forms.CharField(label=_("标题"), max_length=200)
    effective_from = forms.DateTimeField(
        label=_("生效时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    notes = forms.CharField(label=_("修订说明"), widget=forms.Textarea, required=False)

    def __init__(self, *args, base: StandardVersion | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.base = base
        if base is not None:
            self.base_params = list(base.parameters.all())
            if not self.is_bound:
                self.initial.setdefault("number", base.number + 1)
                self.initial.setdefault("title", base.title)
        else:
            # No version yet (e.g. its rows were removed): the first version starts from the repo's data file.
            data = json.loads(V1_PATH.read_text(encoding="utf-8"))
            self.base_params = [
                StandardParameter(
                    code=p["code"],
                    clause=p["clause"],
                    label=p["label"],
                    value=p["value"],
                    unit=p.get("unit", ""),
                )
                for p in data["parameters"]
            ]
            if not self.is_bound:
                self.initial.setdefault("number", data["number"])
                self.initial.setdefault("title", data["title"])
        for p in self.base_params:
            # The brackets are the language's own: （） in Chinese, ( ) in English.
            label = (
                _("%(label)s（%(unit)s）") % {"label": p.label, "unit": p.unit_label} if p.unit else p.label
            )
            if p.code.startswith("sla.calendar"):
                field = forms.ChoiceField(label=label, initial=p.value, choices=list(VALUE_LABELS.items()))
            elif isinstance(p.value, bool):
                field = forms.BooleanField(label=label, required=False, initial=p.value)
            elif isinstance(p.value, int):
                field = forms.IntegerField(label=label, initial=p.value, min_value=0)
            elif isinstance(p.value, float):
                field = forms.FloatField(label=label, initial=p.value, min_value=0)
            elif isinstance(p.value, str):
                field = forms.CharField(label=label, initial=p.value, max_length=200, required=False)
            else:
                field = forms.JSONField(label=label, initial=p.value)
            field.help_text = p.clause
            self.fields[_field_name(p.code)] = field

    def parameter_fields(self):
        return [self[_field_name(p.code)] for p in self.base_params]

    def clean_effective_from(self):
        value = self.cleaned_data["effective_from"]
        # History is not rewritten: a new version starts now or later, never in the past.
        if value < timezone.now() - timezone.timedelta(minutes=1):
            raise forms.ValidationError(_("生效时间不能早于当前时间"))
        return value

    def parameters(self) -> list[dict]:
        return [
            {
                "code": p.code,
                "clause": p.clause,
                "label": p.label,
                "unit": p.unit,
                "value": json.loads(json.dumps(self.cleaned_data[_field_name(p.code)])),
            }
            for p in self.base_params
        ]
