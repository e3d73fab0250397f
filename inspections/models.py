"""Supervision records (SUP-1.1, SUP-1.3, STF-1, STF-2): item bank, versioned templates, weekly self-inspections,
rectification items, pre-shift appearance checks, mystery-shopper visits and the conduct findings credited to clerks.

Every filled-in record keeps a frozen JSON copy of the items it used (``snapshot``), so editing the bank or a
template never changes how a past record reads or scores. See docs/inspections.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet
from privacy.fields import EncryptedTextField


class Section(models.TextChoices):
    ENVIRONMENT = "environment", _("环境与设施")
    CONDUCT = "conduct", _("人员服务规范")
    PROCESS = "process", _("业务流程合规")
    APPEARANCE = "appearance", _("仪容仪表")


class ResponseType(models.TextChoices):
    PASS_FAIL = "pass_fail", _("合格/不合格")
    SCORE = "score", _("评分")
    NUMBER = "number", _("数值")


class TemplateKind(models.TextChoices):
    SELF_INSPECTION = "self_inspection", _("服务自查")
    APPEARANCE = "appearance", _("班前会仪容仪表检查")


class Item(models.Model):
    """One entry of the item bank, shared by self-inspection templates, appearance checks and visit plans."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    section = models.CharField(_("分区"), max_length=16, choices=Section.choices)
    text = models.CharField(_("检查内容"), max_length=200)
    clause = models.CharField(_("规范条款"), max_length=16, blank=True)
    response_type = models.CharField(
        _("答题方式"), max_length=16, choices=ResponseType.choices, default=ResponseType.PASS_FAIL
    )
    max_score = models.PositiveSmallIntegerField(_("满分"), default=1)
    weight = models.PositiveSmallIntegerField(_("权重"), default=1)
    # NUMBER items pass when the value lies within the limits (e.g. waiting minutes ≤ 15); no limits = not scored.
    limit_min = models.FloatField(_("下限"), null=True, blank=True)
    limit_max = models.FloatField(_("上限"), null=True, blank=True)
    na_allowed = models.BooleanField(_("允许不适用"), default=True)
    critical = models.BooleanField(_("关键项"), default=False)
    photo_on_fail = models.BooleanField(_("不合格须拍照"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项库")
        ordering = ["section", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    def frozen(self) -> dict:
        """The copy a template version, a run or a plan keeps."""
        return {
            "code": self.code,
            "section": self.section,
            "text": self.text,
            "clause": self.clause,
            "response_type": self.response_type,
            "max_score": self.max_score,
            "weight": self.weight,
            "limit_min": self.limit_min,
            "limit_max": self.limit_max,
            "na_allowed": self.na_allowed,
            "critical": self.critical,
            "photo_on_fail": self.photo_on_fail,
        }


class InspectionTemplate(models.Model):
    kind = models.CharField(_("类型"), max_length=24, choices=TemplateKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    # None: every region. The run still records its hall and region.
    region = models.ForeignKey(
        "halls.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("区域"),
    )

    class Meta:
        verbose_name = _("检查模板")
        verbose_name_plural = _("检查模板")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def current(self) -> TemplateVersion | None:
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    """An immutable version: its items are frozen at publication (editing a template publishes a new one)."""

    template = models.ForeignKey(InspectionTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    items = models.JSONField(_("检查项"), default=list)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("模板版本")
        verbose_name_plural = _("模板版本")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="insp_template_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("填写中")
    SUBMITTED = "submitted", _("已提交")


class Outcome(models.TextChoices):
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格（关键项未通过）")


class Inspection(models.Model):
    """One weekly self-inspection run (SUP-1.1) of a hall, with the frozen template copy it used."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    region = models.ForeignKey("halls.Region", on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField(_("周起始日"))
    template_version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField(_("模板副本"), default=list)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查人")
    )
    status = models.CharField(_("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.DRAFT)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    score_num = models.FloatField(default=0)
    score_den = models.FloatField(default=0)
    failed_critical = models.BooleanField(_("关键项未通过"), default=False)
    outcome = models.CharField(_("结论"), max_length=16, choices=Outcome.choices, blank=True)
    section_scores = models.JSONField(default=dict, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务自查")
        verbose_name_plural = _("服务自查")
        ordering = ["-week_start", "-started_at"]
        indexes = [models.Index(fields=["hall", "week_start", "status"], name="insp_run_week")]

    def __str__(self) -> str:
        return f"{self.hall} {self.week_start}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("inspections:inspection", args=[self.pk])

    @property
    def score_pct(self) -> float | None:
        return round(100 * self.score_num / self.score_den, 1) if self.score_den else None


class AnswerResult(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NA = "na", _("不适用")


class Answer(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField(max_length=32)
    result = models.CharField(_("结果"), max_length=8, choices=AnswerResult.choices)
    score = models.FloatField(_("得分"), null=True, blank=True)
    number = models.FloatField(_("数值"), null=True, blank=True)
    note = EncryptedTextField(_("说明"), blank=True, default="")
    cited_clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("涉及员工"),
    )
    # A registered facility (a failed item opens a fault on it, ENV-2.2), or one named in words when it is not
    # registered; the name is also kept as it read on the day.
    facility = models.ForeignKey(
        "facilities.Facility",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("涉及设施"),
    )
    fault = models.ForeignKey(
        "facilities.Fault",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("报修单"),
    )
    facility_name = models.CharField(_("涉及设施"), max_length=100, blank=True)
    photo = models.FileField(_("照片"), upload_to="inspections/%Y/%m/", max_length=255, blank=True)
    photo_type = models.CharField(max_length=64, blank=True)
    repeat = models.BooleanField(_("重复问题"), default=False)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "pk"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item_code"], name="insp_answer_once")]

    def __str__(self) -> str:
        return f"{self.item_code} {self.result}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    COMPLETED = "completed", _("待验收")
    VERIFIED = "verified", _("已验收")


class RectificationSource(models.TextChoices):
    SELF_INSPECTION = "self_inspection", _("服务自查")
    MYSTERY_VISIT = "mystery_visit", _("神秘顾客暗访")


class Rectification(models.Model):
    """A rectification item (整改项) with owner and deadline, on the SLA engine (target ``rectification``)."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    region = models.ForeignKey("halls.Region", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=24, choices=RectificationSource.choices)
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.CASCADE, related_name="rectifications"
    )
    visit = models.ForeignKey(
        "inspections.Visit", null=True, blank=True, on_delete=models.CASCADE, related_name="rectifications"
    )
    item_code = models.CharField(max_length=32, blank=True)
    title = models.CharField(_("问题"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人")
    )
    deadline = models.DateTimeField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    repeat = models.BooleanField(_("重复问题"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    completion_note = EncryptedTextField(_("整改说明"), blank=True, default="")
    evidence = models.FileField(_("整改照片"), upload_to="rectifications/%Y/%m/", max_length=255, blank=True)
    evidence_type = models.CharField(max_length=64, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改项")
        verbose_name_plural = _("整改项")
        ordering = ["status", "deadline"]
        indexes = [models.Index(fields=["hall", "status", "deadline"], name="insp_rect_board")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("inspections:rectification", args=[self.pk])

    @property
    def sla_label(self) -> str:
        return f"整改项#{self.pk}"

    def is_overdue(self, now=None) -> bool:
        return self.status == RectificationStatus.OPEN and self.deadline < (now or timezone.now())


class ObligationStatus(models.TextChoices):
    OPEN = "open", _("待自查")
    DONE = "done", _("已完成")
    MISSED = "missed", _("未按期自查")


class WeeklyObligation(models.Model):
    """One per hall and week (generated by ``inspection_sweep``); its SLA clock warns, breaches and escalates."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="+", verbose_name=_("营业厅")
    )
    week_start = models.DateField(_("周起始日"))
    due_at = models.DateTimeField(_("截止时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ObligationStatus.choices, default=ObligationStatus.OPEN
    )
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    flagged_at = models.DateTimeField(_("标记时间"), null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("每周自查任务")
        verbose_name_plural = _("每周自查任务")
        ordering = ["-week_start", "hall"]
        constraints = [models.UniqueConstraint(fields=["hall", "week_start"], name="insp_obligation_week")]
        # Used by inspection_sweep (run by `manage.py worker`): open obligations past their due time.
        indexes = [
            models.Index(fields=["due_at"], name="insp_obligation_open", condition=models.Q(status="open"))
        ]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.week_start}"

    @property
    def sla_label(self) -> str:
        return f"每周自查 {self.week_start:%Y-%m-%d}"


class AppearanceCheck(models.Model):
    """The pre-shift check (班前会, STF-1) of one clerk on one day by the duty supervisor."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    day = models.DateField(_("日期"))
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("员工")
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查人")
    )
    at = models.DateTimeField(_("检查时间"), default=timezone.now)
    template_version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField(default=list)
    missed = models.JSONField(_("未达标项"), default=list)  # item codes
    passed_count = models.PositiveSmallIntegerField(default=0)
    item_count = models.PositiveSmallIntegerField(default=0)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("仪容仪表检查")
        verbose_name_plural = _("仪容仪表检查")
        ordering = ["-day", "clerk"]
        constraints = [models.UniqueConstraint(fields=["hall", "day", "clerk"], name="insp_appearance_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.clerk_id}"

    @property
    def missed_texts(self) -> list[str]:
        """The failed items in the words of the checklist the supervisor used (its frozen copy), not their codes."""
        text = {item["code"]: item["text"] for item in self.snapshot}
        return [text.get(code, code) for code in self.missed]


class FindingSource(models.TextChoices):
    SELF_INSPECTION = "self_inspection", _("服务自查")
    APPEARANCE_CHECK = "appearance_check", _("仪容仪表检查")
    MYSTERY_VISIT = "mystery_visit", _("神秘顾客暗访")


class ConductFinding(models.Model):
    """A conduct finding credited to a clerk (the contract other apps read: hall, clerk, source, item, at)."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="conduct_findings",
        verbose_name=_("员工"),
    )
    source = models.CharField(_("来源"), max_length=24, choices=FindingSource.choices)
    item = models.CharField(_("检查项"), max_length=32)
    item_text = models.CharField(_("检查内容"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    appearance = models.ForeignKey(
        AppearanceCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    visit = models.ForeignKey(
        "inspections.Visit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务规范问题")
        verbose_name_plural = _("服务规范问题")
        ordering = ["-at"]
        indexes = [models.Index(fields=["clerk", "at"], name="insp_finding_clerk")]

    def __str__(self) -> str:
        return f"{self.clerk_id} {self.item}"


# Visits live in their own module (size); importing them here registers them with the app.
from inspections.visit_models import ShopperAccount, Visit, VisitMedia, VisitStatus  # noqa: E402,F401
