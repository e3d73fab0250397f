"""The service standard as versioned data (SUP-3): every number the spec sets, with its clause ID and unit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.recurrence_text import describe, looks_like_rule


class StandardVersion(models.Model):
    """One revision of the standard. Published versions form a gap-free, non-overlapping sequence:
    a version is in force from ``effective_from`` until the next version's ``effective_from``."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    title = models.CharField(_("标题"), max_length=200)
    effective_from = models.DateTimeField(_("生效时间"), unique=True)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("发布人")
    )
    notes = models.TextField(_("修订说明"), blank=True)

    class Meta:
        verbose_name = _("服务规范版本")
        verbose_name_plural = _("服务规范版本")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"v{self.number} {self.title}"

    def values(self) -> dict[str, object]:
        return {p.code: p.value for p in self.parameters.all()}


# The unit codes of standard/data/v1.json as the hall reads them (the codes stay in the data; never shown in zh-Hans).
UNIT_LABELS = {
    "min": _("分钟"),
    "h": _("小时"),
    "d": _("天"),
    "month": _("个月"),
    "y": _("年"),
    "times": _("次"),
    "ratio": _("比例"),
    "%": "%",
    "people": _("人"),
}
# Text values that are codes (the SLA calendar kind): their Chinese names.
VALUE_LABELS = {"clock": _("自然小时（含夜间与节假日）"), "business": _("营业时间")}


class StandardParameter(models.Model):
    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="parameters")
    code = models.CharField(_("参数代码"), max_length=64)
    clause = models.CharField(_("条款"), max_length=32)
    label = models.CharField(_("名称"), max_length=200)
    value = models.JSONField(_("取值"))
    unit = models.CharField(_("单位"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("规范参数")
        verbose_name_plural = _("规范参数")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="standard_param_unique")]

    def __str__(self) -> str:
        return f"{self.code}={self.value}{self.unit} ({self.clause})"

    @property
    def unit_label(self):
        return UNIT_LABELS.get(self.unit, self.unit)

    @property
    def value_label(self):
        if isinstance(self.value, bool):
            return _("是") if self.value else _("否")
        if looks_like_rule(self.value):
            return describe(self.value)
        if isinstance(self.value, str):
            return VALUE_LABELS.get(self.value, self.value)
        return self.value
