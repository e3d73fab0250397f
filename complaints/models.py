"""Complaints (CMP-1..3): the file, its timeline, evidence, notes and the per-hall daily number counter."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import CaseCounter, CaseFile, TimelineEvent, masked
from halls.models import HallScopedQuerySet
from lib.errors import Conflict
from privacy.fields import EncryptedTextField


class Channel(models.TextChoices):
    ONSITE = "onsite", _("现场投诉窗口")
    PHONE = "phone", _("投诉电话")
    WECOM = "wecom", _("企业微信")
    APP = "app", _("手机APP")


class Kind(models.TextChoices):
    GENERAL = "general", _("一般投诉")
    COMPLEX = "complex", _("复杂投诉")


class Status(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    CONTACTED = "contacted", _("已联系客户")
    SOLVED = "solved", _("已出解决方案")
    NOTIFIED = "notified", _("已告知客户")
    CLOSED = "closed", _("已结案")


OPEN_STATUSES = (Status.ACCEPTED, Status.CONTACTED, Status.SOLVED, Status.NOTIFIED)


class Responsibility(models.TextChoices):
    COMPANY = "company", _("公司责任")
    STAFF = "staff", _("员工责任")
    THIRD_PARTY = "third_party", _("第三方责任")
    CUSTOMER = "customer", _("客户误解")


class NoticeMethod(models.TextChoices):
    SMS = "sms", _("短信")
    WRITTEN = "written", _("书面")


class CustomerResponse(models.TextChoices):
    ACCEPTED = "accepted", _("客户认可")
    NOT_ACCEPTED = "not_accepted", _("客户不认可")


RETENTION_FLOOR_YEARS = 3  # CMP-3: 投诉档案至少保存3年; no standard version may go below it


class ComplaintQuerySet(HallScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def delete(self):
        # Bulk deletes bypass Complaint.delete(): the retention lock (CMP-3) must hold here too.
        for complaint in self:
            complaint.check_deletable()
        return super().delete()


class ComplaintCounter(CaseCounter):
    class Meta:
        constraints = [models.UniqueConstraint(fields=["hall", "day"], name="complaint_counter_unique")]


class Complaint(CaseFile):
    detail_url_name = "complaints:detail"
    CONTACT_NAME_FIELD = "complainant_name"

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("营业厅")
    )
    number = models.CharField(_("投诉编号"), max_length=40, unique=True)
    channel = models.CharField(_("投诉渠道"), max_length=16, choices=Channel.choices)
    complainant_name = EncryptedTextField(_("投诉人"))
    # contact_phone and its phone_index come from casework.CaseFile
    demand = EncryptedTextField(_("投诉诉求"))
    business_type = models.ForeignKey(
        "catalog.BusinessType",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("业务类型"),
    )
    # Free text a user types (a ticket, an order — or a phone number): encrypted like the other PI (issue 10 §5).
    related_reference = EncryptedTextField(_("关联业务单号/票号"), blank=True, default="")
    # The queue ticket the complaint is about, when the reference is one of the hall's tickets of that day.
    ticket = models.ForeignKey(
        "queueing.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=_("关联排队号"),
    )
    suggested_kind = models.CharField(_("系统建议分类"), max_length=16, choices=Kind.choices)
    suggestion_reasons = models.JSONField(_("建议依据"), default=list, blank=True)
    kind = models.CharField(_("投诉分类"), max_length=16, choices=Kind.choices)
    kind_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    accepted_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("受理人"),
    )
    source_token = models.ForeignKey(
        "integrations.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contacted_at = models.DateTimeField(_("联系客户时间"), null=True, blank=True)
    # Complex complaints: a task force from the hall's staff (CMP-2.1).
    task_force_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("专项小组组长"),
    )
    task_force_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("专项小组成员")
    )
    # Solution (CMP-2.2, CMP-3). Staff free text may name people, so it is encrypted like the demand.
    cause = EncryptedTextField(_("原因"), blank=True, default="")
    solution = EncryptedTextField(_("解决方案"), blank=True, default="")
    compensation = EncryptedTextField(_("补偿"), blank=True, default="")
    follow_up = EncryptedTextField(_("后续承诺"), blank=True, default="")
    company_at_fault = models.BooleanField(_("公司存在过错"), null=True, blank=True)
    apologised = models.BooleanField(_("已致歉"), default=False)
    policy_basis = EncryptedTextField(_("政策依据说明"), blank=True, default="")
    alternative = EncryptedTextField(_("替代方案"), blank=True, default="")
    solved_at = models.DateTimeField(_("方案时间"), null=True, blank=True)
    responsibility = models.CharField(
        _("责任归属"), max_length=16, choices=Responsibility.choices, blank=True
    )
    notice_method = models.CharField(_("告知方式"), max_length=16, choices=NoticeMethod.choices, blank=True)
    notified_at = models.DateTimeField(_("告知时间"), null=True, blank=True)
    customer_response = models.CharField(
        _("客户反馈"), max_length=16, choices=CustomerResponse.choices, blank=True
    )
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重开次数"), default=0)
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True)

    # What a duty supervisor may reveal (audited, ``privacy.services.pi_reveal``) to call the complainant back.
    PI_FIELDS = frozenset({"complainant_name", "contact_phone"})

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-accepted_at"]
        indexes = [
            models.Index(fields=["hall", "status", "accepted_at"], name="complaint_hall_status"),
            # complaints_purge scans closed files by closure date.
            models.Index(fields=["closed_at"], name="complaint_closed_at"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def suggestion_keywords(self) -> list[str]:
        """The words that drove the suggested class (reasons are stored as "general:话费", "complex:合约")."""
        return [r.split(":", 1)[1] for r in self.suggestion_reasons or [] if not r.startswith("category:")]

    masked_related_reference = masked("related_reference")
    masked_demand = masked(
        "demand", doc="The whole demand with phone / ID / account numbers masked (detail page)."
    )

    @property
    def summary(self) -> str:
        """The demand with phone / ID / account numbers and the complainant's own name masked, cut short (receipt,
        lists, hot-spot examples)."""
        text = self.mask_text(self.demand)
        return text if len(text) <= 60 else text[:60] + "…"

    def retention_until(self, standard=None):
        """Closed files are kept ``archive.complaint_years`` after closure (CMP-3) under the version in force *when
        the file closed* (a later version does not shorten a closed file's term), and never less than the spec's
        three-year floor."""
        if self.closed_at is None:
            return None
        if standard is None:
            from standard.services import standard_in_force

            standard = standard_in_force(at=self.closed_at)
        years = max(RETENTION_FLOOR_YEARS, int(standard["archive.complaint_years"]))
        closed = timezone.localtime(self.closed_at)
        try:
            return closed.replace(year=closed.year + years)
        except ValueError:  # 29 February
            return closed.replace(year=closed.year + years, day=28)

    def check_deletable(self, now=None) -> None:
        now = now or timezone.now()
        until = self.retention_until()
        if until is None or now < until:
            raise Conflict("retention_locked", _("投诉档案在结案后保存期内不得删除"))

    def delete(self, *args, **kwargs):
        self.check_deletable()
        return super().delete(*args, **kwargs)


class EventKind(models.TextChoices):
    ACCEPTED = "accepted", _("受理")
    RECEIPT = "receipt", _("出具受理回执")
    CLASSIFIED = "classified", _("确认分类")
    RECLASSIFIED = "reclassified", _("重新分类")
    CONTACTED = "contacted", _("联系客户")
    TASK_FORCE = "task_force", _("成立专项小组")
    PROGRESS = "progress", _("进度反馈")
    SOLUTION = "solution", _("解决方案")
    NOTIFIED = "notified", _("告知客户")
    CLOSED = "closed", _("结案")
    REOPENED = "reopened", _("重新打开")
    EVIDENCE = "evidence", _("上传证据")
    ANONYMISED = "anonymised", _("个人信息匿名化")


class ComplaintEvent(TimelineEvent):
    CASE_FIELD = "complaint"
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=16, choices=EventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("投诉事件")
        verbose_name_plural = _("投诉事件")


class ComplaintEvidence(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="evidence")
    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    # Stored under the private default storage (var/private), served only by the access-checked view.
    file = models.FileField(_("文件"), upload_to="complaints/%Y/%m/", max_length=255)
    original_name = EncryptedTextField(_("原文件名"), blank=True, default="")
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("投诉证据")
        verbose_name_plural = _("投诉证据")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.content_type} {self.size}"


class ComplaintNote(models.Model):
    """Annotations: the only thing that may be added to a closed file (CMP-3)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    text = EncryptedTextField(_("备注"))

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("投诉备注")
        verbose_name_plural = _("投诉备注")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.at:%Y-%m-%d %H:%M}"


class HotspotReport(models.Model):
    """CMP-3: the monthly hot-spot analysis of one hall, kept as a record (issue 10 §6). Written by the worker's
    ``hotspot_sweep`` for the previous month on the 1st (idempotent: one row per hall and month). Figures only —
    counts, keywords, phrases, group labels — no complaint text and no personal information."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    month = models.DateField(_("月份"))  # the first day of the month
    total = models.PositiveIntegerField(_("投诉件数"))
    previous_total = models.PositiveIntegerField(_("上月件数"))
    data = models.JSONField(_("分析结果"), default=dict)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度投诉热点记录")
        verbose_name_plural = _("月度投诉热点记录")
        ordering = ["-month", "hall_id"]
        constraints = [models.UniqueConstraint(fields=["hall", "month"], name="hotspot_report_hall_month")]

    def __str__(self) -> str:
        return f"{self.hall_id} · {self.month:%Y-%m}"

    @property
    def top_keywords(self) -> list[str]:
        return [k["word"] for k in self.data.get("keywords", [])[:5]]
