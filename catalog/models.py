"""Service catalogue (BIZ-1.1, BIZ-2.2, STF-2): business types, materials, phrases, plain-language glossary."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from lib.i18n import in_ui_language


class BusinessCategory(models.TextChoices):
    CONSULTATION = "consultation", _("咨询类")
    BASIC = "basic", _("基础业务")
    COMPLEX = "complex", _("复杂业务")


class BusinessTypeQuerySet(models.QuerySet):
    def for_hall(self, hall):
        return self.filter(halls=hall, is_active=True)

    def for_user(self, user):
        # The catalogue is company-wide reference data: any staff member sees it.
        return self if user.is_authenticated else self.none()


class BusinessType(models.Model):
    code = models.CharField(_("业务编码"), max_length=32, unique=True)
    name = models.CharField(_("业务名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    category = models.CharField(_("类别"), max_length=16, choices=BusinessCategory.choices)
    ticket_prefix = models.CharField(_("取号字母"), max_length=1)
    # Empty: the time limit comes from the standard in force for the category (BIZ-2.2).
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("办理时限（分钟，留空按规范）"), null=True, blank=True
    )
    process_steps = models.JSONField(_("办理流程"), default=list, blank=True)
    guide_text = models.TextField(_("办理指南说明"), blank=True)
    halls = models.ManyToManyField(
        "halls.Hall", blank=True, related_name="business_types", verbose_name=_("开办营业厅")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = BusinessTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("业务类型")
        verbose_name_plural = _("业务类型")
        ordering = ["category", "sort_order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the UI language: the English name when the page speaks English and one is set."""
        return in_ui_language(self.name, self.name_en)

    def time_limit(self, standard) -> int | None:
        """Minutes allowed to handle this business under ``standard`` (BIZ-2.2); None for consultations.

        Mirrored in queueing/hotpath/sql.py: START_SQL."""
        if self.time_limit_minutes:
            return self.time_limit_minutes
        if self.category == BusinessCategory.COMPLEX:
            return int(standard["handling.complex_minutes"])
        if self.category == BusinessCategory.BASIC:
            return int(standard["handling.basic_minutes"])
        return None


class RequiredMaterial(models.Model):
    business_type = models.ForeignKey(BusinessType, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=200)
    mandatory = models.BooleanField(_("必需"), default=True)
    how_to_obtain = models.CharField(_("获取方式"), max_length=255, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("所需材料")
        verbose_name_plural = _("所需材料")
        ordering = ["business_type", "sort_order", "pk"]
        constraints = [
            # BIZ-1.1: a customer told to bring a mandatory item is told how to obtain it (the guide, the 《补充材料
            # 清单》 and the SMS all print it). A CHECK, so no path (admin, API, bulk) can store it empty.
            models.CheckConstraint(
                condition=models.Q(mandatory=False) | ~models.Q(how_to_obtain=""),
                name="material_mandatory_how_to_obtain",
                violation_error_message=_("必需材料须填写获取方式（BIZ-1.1）"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        self.how_to_obtain = (self.how_to_obtain or "").strip()
        if self.mandatory and not self.how_to_obtain:
            raise ValidationError({"how_to_obtain": _("必需材料须填写获取方式（BIZ-1.1）")})


class PhraseKind(models.TextChoices):
    GREETING = "greeting", _("问候语")
    FAREWELL = "farewell", _("送别语")
    SOOTHING = "soothing", _("安抚语")
    EMERGENCY = "emergency", _("应急告知语")


class StandardPhrase(models.Model):
    kind = models.CharField(_("类型"), max_length=16, choices=PhraseKind.choices)
    text = models.TextField(_("用语"))
    text_en = models.TextField(_("英文"), blank=True)
    clause = models.CharField(_("条款"), max_length=32, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("规范用语")
        verbose_name_plural = _("规范用语")
        ordering = ["kind", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def label(self) -> str:
        """The phrase in the UI language (``lib.i18n.in_ui_language``)."""
        return in_ui_language(self.text, self.text_en)


class GlossaryTerm(models.Model):
    term = models.CharField(_("专业术语"), max_length=100, unique=True)
    plain = models.TextField(_("通俗说法"))
    plain_en = models.TextField(_("英文说法"), blank=True)

    class Meta:
        verbose_name = _("通俗用语")
        verbose_name_plural = _("通俗用语")
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term

    @property
    def plain_label(self) -> str:
        """The plain wording in the UI language (``lib.i18n.in_ui_language``)."""
        return in_ui_language(self.plain, self.plain_en)
