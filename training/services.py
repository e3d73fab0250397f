"""Monthly training workflows (STF-3.1, SUP-2 retraining). Pages, API and the worker call these functions only.

A session belongs to one hall; its QR code carries a signed token that expires within minutes, so a photo of the
screen forwarded later signs nobody in; the clerk signs in from their own phone, logged in as themselves, inside the
session's window. Coverage (selectors.py) counts sign-ins per local Asia/Shanghai month.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.services import clean_text
from complaints.evidence import sniff
from complaints.models import Complaint
from halls.models import Hall
from lib.errors import Conflict, Forbidden, ServiceError
from notify.models import Notification
from staff.access import require, user_can
from staff.models import HallAssignment
from training.models import (
    Attendance,
    CaseLink,
    MaterialKind,
    RetrainingAssignment,
    RetrainingStatus,
    SessionKind,
    SessionStatus,
    SignInMethod,
    TrainingMaterial,
    TrainingSession,
)
from training.selectors import TRAINEE_ROLES, coverage_for_halls, month_bounds

TOKEN_SALT = "training.sign-in"
# A QR code shown on the screen is re-drawn every minute; a token older than this is refused (STF-3.1 sign-in).
TOKEN_MAX_AGE = timedelta(minutes=10)
MAX_MATERIAL_BYTES = 20 * 1024 * 1024
MAX_SESSION_HOURS = 12
_OOXML = {"pptx", "docx", "xlsx"}
_OOXML_TYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _check_times(starts_at, ends_at) -> None:
    if not isinstance(starts_at, datetime) or timezone.is_naive(starts_at):
        raise ServiceError("invalid_start", _("请填写带时区的开始时间"), field="starts_at")
    if not isinstance(ends_at, datetime) or timezone.is_naive(ends_at):
        raise ServiceError("invalid_end", _("请填写带时区的结束时间"), field="ends_at")
    if ends_at <= starts_at:
        raise ServiceError("end_before_start", _("结束时间必须晚于开始时间"), field="ends_at")
    if ends_at - starts_at > timedelta(hours=MAX_SESSION_HOURS):
        raise ServiceError("session_too_long", _("单场培训不超过12小时"), field="ends_at")


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not (url.startswith("https://") or url.startswith("http://")) or len(url) > 500 or " " in url:
        raise ServiceError("invalid_link", _("资料链接须以 http:// 或 https:// 开头"), field="links")
    return url


@transaction.atomic
def session_create(
    *,
    hall: Hall,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    actor,
    trainer=None,
    trainer_name: str = "",
    description: str = "",
    links: list[str] | tuple = (),
    has_quiz: bool = False,
) -> TrainingSession:
    """STF-3.1: plan a training session of a hall (new business briefing, case review or retraining)."""
    require(actor, "training.manage", hall)
    if kind not in SessionKind.values:
        raise ServiceError("invalid_kind", _("培训类型不正确"), field="kind")
    title = clean_text(title, "title_required", _("请填写培训主题"), "title", min_len=2, max_len=120)
    _check_times(starts_at, ends_at)
    trainer_name = (trainer_name or "").strip()[:64]
    if trainer is not None and not HallAssignment.objects.filter(user=trainer, hall=hall).exists():
        raise ServiceError("trainer_invalid", _("讲师须为本厅员工，外部讲师请填写姓名"), field="trainer")
    if trainer is None and not trainer_name:
        raise ServiceError("trainer_required", _("请选择讲师或填写讲师姓名"), field="trainer")
    urls = [_check_url(u) for u in links if (u or "").strip()]
    session = TrainingSession.objects.create(
        hall=hall,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        trainer=trainer,
        trainer_name="" if trainer is not None else trainer_name,
        description=(description or "").strip()[:4000],
        has_quiz=bool(has_quiz),
        created_by=actor,
    )
    for url in urls:
        TrainingMaterial.objects.create(
            session=session, hall=hall, kind=MaterialKind.LINK, title=url[:120], url=url, added_by=actor
        )
    return session


@transaction.atomic
def session_cancel(*, session: TrainingSession, actor) -> TrainingSession:
    require(actor, "training.manage", session.hall)
    if session.attendances.exists():
        raise Conflict("session_has_attendance", _("已有员工签到的培训不能取消"))
    updated = TrainingSession.objects.filter(pk=session.pk, status=SessionStatus.SCHEDULED).update(
        status=SessionStatus.CANCELLED
    )
    if updated != 1:
        raise Conflict("session_state", _("培训状态已变化，请刷新后重试"))
    session.refresh_from_db()
    return session


@transaction.atomic
def material_add_link(*, session: TrainingSession, actor, url: str, title: str = "") -> TrainingMaterial:
    require(actor, "training.manage", session.hall)
    url = _check_url(url)
    title = (title or "").strip()[:120] or url[:120]
    return TrainingMaterial.objects.create(
        session=session, hall=session.hall, kind=MaterialKind.LINK, title=title, url=url, added_by=actor
    )


def _sniff_material(upload) -> tuple[str, str]:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found:
        return found
    ext = (getattr(upload, "name", "") or "").rsplit(".", 1)[-1].lower()
    if head[:4] == b"PK\x03\x04" and ext in _OOXML:  # Office documents are zip containers
        return _OOXML_TYPES[ext], ext
    raise ServiceError("file_type", _("资料类型不支持，仅接受PDF、图片或PPTX/DOCX/XLSX文档"), field="file")


@transaction.atomic
def material_add_file(*, session: TrainingSession, actor, upload, title: str = "") -> TrainingMaterial:
    """Materials live in private storage under a random name; only the access-checked view serves them."""
    require(actor, "training.manage", session.hall)
    if upload is None:
        raise ServiceError("file_required", _("请选择要上传的资料文件"), field="file")
    size = getattr(upload, "size", None)
    if size is None or size > MAX_MATERIAL_BYTES:
        raise ServiceError("file_too_large", _("资料文件不能超过20MB"), field="file")
    content_type, ext = _sniff_material(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    material = TrainingMaterial(
        session=session,
        hall=session.hall,
        kind=MaterialKind.FILE,
        title=((title or "").strip() or name or str(_("培训资料")))[:120],
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        added_by=actor,
    )
    material.file.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
    material.save()
    return material


@transaction.atomic
def session_link_cases(*, session: TrainingSession, actor, numbers: list[str]) -> list[CaseLink]:
    """A case review links complaint files of its own hall by number; they are shown without personal information."""
    require(actor, "training.manage", session.hall)
    if session.kind != SessionKind.CASE_REVIEW:
        raise ServiceError("not_case_review", _("只有案例复盘可以关联投诉案例"), field="numbers")
    wanted = [n.strip() for n in numbers if (n or "").strip()]
    if not wanted:
        raise ServiceError("numbers_required", _("请填写投诉编号"), field="numbers")
    if len(wanted) > 20:
        raise ServiceError("too_many_cases", _("一场复盘最多关联20个案例"), field="numbers")
    found = {c.number: c for c in Complaint.objects.filter(hall=session.hall, number__in=wanted)}
    missing = [n for n in wanted if n not in found]
    if missing:
        raise ServiceError(
            "complaint_not_found",
            _("本厅没有投诉编号 %(number)s") % {"number": missing[0][:40]},
            field="numbers",
        )
    links = []
    for number in dict.fromkeys(wanted):
        link, _created = CaseLink.objects.get_or_create(
            session=session, complaint=found[number], defaults={"hall": session.hall}
        )
        links.append(link)
    return links


def signin_token(*, session: TrainingSession, actor, now: datetime | None = None) -> dict:
    """The payload of the QR code the trainer shows: a signed token naming the session, valid TOKEN_MAX_AGE."""
    require(actor, "training.manage", session.hall)
    if session.status != SessionStatus.SCHEDULED:
        raise Conflict("session_cancelled", _("该培训已取消"))
    now = now or timezone.now()
    signer = signing.TimestampSigner(salt=TOKEN_SALT)
    token = signer.sign_object({"s": session.pk, "h": session.hall_id})
    # TimestampSigner stamps the real clock; tests freeze it, so the expiry is computed from the same clock.
    return {
        "token": token,
        "path": reverse("training:sign_in", args=[token]),
        "expires_at": now + TOKEN_MAX_AGE,
    }


def session_from_token(token: str) -> TrainingSession:
    signer = signing.TimestampSigner(salt=TOKEN_SALT)
    try:
        data = signer.unsign_object(token or "", max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise ServiceError(
            "token_expired", _("二维码已过期，请重新扫描现场的签到码"), field="token"
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ServiceError("token_invalid", _("签到码无效"), field="token") from None
    session = (
        TrainingSession.objects.select_related("hall").filter(pk=data.get("s"), hall_id=data.get("h")).first()
    )
    if session is None:
        raise ServiceError("token_invalid", _("签到码无效"), field="token")
    return session


def _is_trainee(user, hall_id: int) -> bool:
    return HallAssignment.objects.filter(
        user=user, hall_id=hall_id, role__in=TRAINEE_ROLES, user__is_active=True
    ).exists()


def _complete_retraining(*, session: TrainingSession, clerk, at: datetime) -> int:
    """SUP-2: a sign-in to a retraining session completes the clerk's open assignments of that hall."""
    if session.kind != SessionKind.RETRAINING:
        return 0
    return RetrainingAssignment.objects.filter(
        clerk=clerk, hall_id=session.hall_id, status=RetrainingStatus.ASSIGNED, assigned_at__lte=at
    ).update(status=RetrainingStatus.DONE, session=session, done_at=at)


def _attend(*, session: TrainingSession, clerk, method: str, now: datetime) -> tuple[Attendance, bool]:
    existing = Attendance.objects.filter(session=session, clerk=clerk).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                session=session, hall_id=session.hall_id, clerk=clerk, signed_at=now, method=method
            )
    except IntegrityError:  # two taps at once: the first one counts
        return Attendance.objects.get(session=session, clerk=clerk), False
    _complete_retraining(session=session, clerk=clerk, at=now)
    return attendance, True


def sign_in_check(*, token: str, clerk, now: datetime | None = None) -> TrainingSession:
    """Everything the sign-in refuses, without writing: the confirm page (GET) shows the refusal before the tap."""
    if clerk is None or not clerk.is_authenticated:
        raise Forbidden("login_required", _("请先登录本人账号再签到"))
    session = session_from_token(token)
    if not _is_trainee(clerk, session.hall_id):
        raise Forbidden("other_hall", _("您不是该营业厅的服务人员，不能签到这场培训"))
    if session.status != SessionStatus.SCHEDULED:
        raise Conflict("session_cancelled", _("该培训已取消"))
    if not session.sign_in_open(now or timezone.now()):
        raise ServiceError(
            "outside_window", _("不在签到时间内（开始前30分钟至结束前可签到）"), field="token", status=409
        )
    return session


@transaction.atomic
def attendance_sign_in(*, token: str, clerk, now: datetime | None = None) -> tuple[Attendance, bool]:
    """STF-3.1: the clerk scans the QR code on their phone, logged in as themselves. Refused: an expired or forged
    token, a session of a hall where they do not serve, a cancelled session, a time outside the window.
    Returns (attendance, created): a second scan keeps the first sign-in."""
    now = now or timezone.now()
    session = sign_in_check(token=token, clerk=clerk, now=now)
    return _attend(session=session, clerk=clerk, method=SignInMethod.QR, now=now)


@transaction.atomic
def attendance_record(*, session: TrainingSession, clerk, actor, now: datetime | None = None) -> Attendance:
    """A manager records a sign-in for a clerk whose phone failed （补登）， only for a session that has started."""
    require(actor, "training.manage", session.hall)
    if not _is_trainee(clerk, session.hall_id):
        raise ServiceError("not_trainee", _("该员工不是本厅服务人员"), field="clerk")
    now = now or timezone.now()
    if session.status != SessionStatus.SCHEDULED or now < session.sign_in_opens_at:
        raise ServiceError("not_started", _("培训尚未开始，不能补登"), field="clerk", status=409)
    return _attend(session=session, clerk=clerk, method=SignInMethod.MANUAL, now=now)[0]


@transaction.atomic
def attendance_score(*, attendance: Attendance, actor, score) -> Attendance:
    """The optional quiz score, 0–100."""
    require(actor, "training.manage", attendance.hall_id)
    try:
        value = int(score)
    except (TypeError, ValueError):
        raise ServiceError("invalid_score", _("测验成绩应为0到100的整数"), field="score") from None
    if str(score).strip() not in (str(value), f"{value}.0") or not 0 <= value <= 100:
        raise ServiceError("invalid_score", _("测验成绩应为0到100的整数"), field="score")
    Attendance.objects.filter(pk=attendance.pk).update(quiz_score=value)
    attendance.refresh_from_db()
    return attendance


@transaction.atomic
def retraining_assign(
    *, clerk, hall: Hall, reason: str, assigned_by, due: date | None = None
) -> RetrainingAssignment:
    """SUP-2 → STF-3.1 (contract with the KPI rule): the clerk must attend a retraining session of the hall.

    ``assigned_by`` None is the system (the three-month rule); a person needs ``training.assign`` there. While the
    clerk has an open assignment in the hall, that one is returned (one retraining settles it)."""
    if assigned_by is not None:
        require(assigned_by, "training.assign", hall)
    # Anyone who serves in the hall may be sent (SUP-2 judges whoever handled business, a duty supervisor too).
    if (
        clerk is None
        or not HallAssignment.objects.filter(user=clerk, hall=hall, user__is_active=True).exists()
    ):
        raise ServiceError("not_trainee", _("该员工不是本厅服务人员"), field="clerk")
    reason = clean_text(reason, "reason_required", _("请填写转岗培训原因"), "reason", min_len=2, max_len=500)
    if due is not None and (not isinstance(due, date) or due < timezone.localdate()):
        raise ServiceError("due_in_past", _("完成期限不能早于今天"), field="due")
    open_one = (
        RetrainingAssignment.objects.select_for_update()
        .filter(clerk=clerk, hall=hall, status=RetrainingStatus.ASSIGNED)
        .first()
    )
    if open_one is not None:
        return open_one
    return RetrainingAssignment.objects.create(
        clerk=clerk, hall=hall, reason=reason, due=due, assigned_by=assigned_by
    )


@transaction.atomic
def retraining_cancel(*, assignment: RetrainingAssignment, actor) -> RetrainingAssignment:
    require(actor, "training.assign", assignment.hall_id)
    updated = RetrainingAssignment.objects.filter(pk=assignment.pk, status=RetrainingStatus.ASSIGNED).update(
        status=RetrainingStatus.CANCELLED
    )
    if updated != 1:
        raise Conflict("retraining_state", _("该指派状态已变化，请刷新后重试"))
    assignment.refresh_from_db()
    return assignment


def _managers(hall) -> list:
    from sla.escalation import hall_managers

    return hall_managers(hall)


def training_sweep(*, now: datetime | None = None) -> dict:
    """Worker job, one idempotent pass: from ``training.coverage_reminder_days`` days before the end of the local
    month, each hall with staff still missing their monthly training notifies its managers once (outbox dedupe)."""
    from notify.services import notification_enqueue
    from standard.services import standard_in_force

    now = now or timezone.now()
    local = timezone.localtime(now)
    start, end = month_bounds(local.year, local.month)
    days_left = (end - local).days  # whole days until local midnight of the 1st
    standard = standard_in_force(at=now)
    window = int(standard.get("training.coverage_reminder_days", 5))
    result = {"halls": 0, "notified": 0}
    if days_left >= window:
        return result
    halls = list(Hall.objects.filter(is_active=True))
    for row in coverage_for_halls(halls=halls, year=local.year, month=local.month):
        result["halls"] += 1
        if not row["missing"]:
            continue
        hall = row["hall"]
        key = f"training:coverage:{hall.pk}:{local.year:04d}-{local.month:02d}"
        if Notification.objects.filter(dedupe_key=key).exists():
            continue  # once per hall and month
        managers = _managers(hall)
        with transaction.atomic():
            notification_enqueue(
                hall=hall,
                channel="wecom",
                recipient=getattr(settings, "TINGWU_SLA_WECOM_ROBOT", "default"),
                template="training_coverage_missing",
                context={
                    "hall_name": hall.name,
                    "month": f"{local.year}年{local.month}月",
                    "count": len(row["missing"]),
                    "names": "、".join(m["name"] for m in row["missing"][:20]),
                    "days": days_left + 1,
                },
                dedupe_key=key,
                options={"mentioned_list": [m.get_username() for m in managers]},
                prompt=False,  # the worker's outbox drain follows in the same pass
            )
        result["notified"] += 1
    return result


def can_manage(user, hall) -> bool:
    return user_can(user, "training.manage", hall)
