"""Read side of training (STF-3.1): who may read what, the local month, coverage, and the masked case view."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.errors import ServiceError
from staff.models import HallAssignment, HallRole

# Who owes the monthly training: the hall's front-line service staff （STF-3.1 服务人员）： clerks and greeters.
TRAINEE_ROLES = (HallRole.CLERK, HallRole.GREETER)
# Who reads a hall's sessions and coverage besides its trainees: managers, supervisors, inspectors, auditors, HQ.
READ_CAPABILITIES = ("training.manage", "report.view")

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
MAX_ID = 2**63 - 1  # a database integer key; larger values must be a 400, not an overflow (500)


def as_id(value, field: str = "hall") -> int:
    """An id from a filter: a positive integer that fits a database key, else a 400 (never ignored)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= MAX_ID:
        raise ServiceError(f"invalid_{field}", _("营业厅参数不正确"), field=field)
    return number


def parse_month(value: str | None, *, today: date | None = None) -> tuple[int, int]:
    """``YYYY-MM`` (empty: this local month); anything else is a 400, never silently this month."""
    if not value:
        today = today or timezone.localdate()
        return today.year, today.month
    match = _MONTH_RE.match(str(value).strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise ServiceError("invalid_month", _("月份格式应为「年-月」，如2026-12"), field="month")
    return int(match.group(1)), int(match.group(2))


def month_choices(year: int, month: int, *, back: int = 12, ahead: int = 2) -> list[tuple[str, str]]:
    """The months a filter offers around the chosen one, newest first, labelled in Chinese （2026年12月）."""
    index = year * 12 + month - 1
    out = []
    for i in range(index + ahead, index - back - 1, -1):
        y, m = divmod(i, 12)
        out.append((f"{y:04d}-{m + 1:02d}", _("%(y)d年%(m)d月") % {"y": y, "m": m + 1}))
    return out


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """[local midnight of the 1st, local midnight of the next 1st) in the hall time zone (Asia/Shanghai)."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(date(year, month, 1), time.min, tzinfo=tz)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return start, datetime.combine(nxt, time.min, tzinfo=tz)


def readable_hall_ids(user) -> set[int] | None:
    """Halls whose sessions and coverage the user reads as a manager/reader (None = every hall)."""
    from staff.access import hall_ids_with

    ids: set[int] = set()
    for capability in READ_CAPABILITIES:
        found = hall_ids_with(user, capability)
        if found is None:
            return None
        ids |= found
    return ids


def sessions_for(user):
    """Sessions the user may open: every session of a hall they read, and those of halls where they train."""
    from staff.access import hall_ids_with
    from training.models import TrainingSession

    ids = readable_hall_ids(user)
    if ids is None:
        return TrainingSession.objects.all()
    attend = hall_ids_with(user, "training.attend") or set()
    return TrainingSession.objects.filter(hall_id__in=ids | attend)


def session_list(*, user, year: int, month: int, hall_id=None, kind: str = ""):
    from training.models import SessionKind

    if kind and kind not in SessionKind.values:
        raise ServiceError("invalid_kind", _("培训类型不正确"), field="kind")
    start, end = month_bounds(year, month)
    qs = sessions_for(user).filter(starts_at__gte=start, starts_at__lt=end)
    if hall_id not in (None, ""):
        qs = qs.filter(hall_id=as_id(hall_id))
    if kind:
        qs = qs.filter(kind=kind)
    return (
        qs.select_related("hall", "trainer__staff_profile")
        .annotate(signed=Count("attendances"))
        .order_by("starts_at", "pk")
    )


def _display_name(user) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.full_name if profile else user.get_username()


def coverage_for_halls(*, halls, year: int, month: int) -> list[dict]:
    """STF-3.1 coverage of one local month per hall: each trainee with the number of sessions they signed in to
    (any hall, cancelled excluded), against ``training.monthly_sessions`` of the standard in force on the 1st.
    rate = covered ÷ trainees; a hall without trainees has rate None (not 100 %)."""
    from standard.services import standard_in_force
    from training.models import Attendance, SessionStatus

    start, end = month_bounds(year, month)
    required = int(standard_in_force(at=start)["training.monthly_sessions"])
    halls = list(halls)
    assignments = (
        HallAssignment.objects.filter(hall__in=halls, role__in=TRAINEE_ROLES, user__is_active=True)
        .select_related("user__staff_profile")
        .order_by("user__staff_profile__employee_number", "user_id")
    )
    per_hall: dict[int, dict[int, object]] = {h.pk: {} for h in halls}
    for a in assignments:
        per_hall[a.hall_id].setdefault(a.user_id, a.user)
    user_ids = {uid for users in per_hall.values() for uid in users}
    counts = dict(
        Attendance.objects.filter(
            clerk_id__in=user_ids,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .filter(~Q(session__status=SessionStatus.CANCELLED))
        .values_list("clerk_id")
        .annotate(n=Count("session", distinct=True))
        .values_list("clerk_id", "n")
    )
    rows = []
    for hall in halls:
        people = []
        for uid, user in per_hall[hall.pk].items():
            n = counts.get(uid, 0)
            people.append(
                {
                    "user": user,
                    "user_id": uid,
                    "name": _display_name(user),
                    "employee_number": getattr(getattr(user, "staff_profile", None), "employee_number", ""),
                    "attended": n,
                    "covered": n >= required,
                }
            )
        covered = sum(1 for p in people if p["covered"])
        rows.append(
            {
                "hall": hall,
                "required": required,
                "trainees": people,
                "total": len(people),
                "covered": covered,
                "missing": [p for p in people if not p["covered"]],
                "rate": (covered / len(people)) if people else None,
            }
        )
    return rows


def case_view(complaint) -> dict:
    """A complaint as a case-review slide: the complaints app's own masked presentation, no name or phone at all."""
    return {
        "number": complaint.number,
        "kind": complaint.get_kind_display(),
        "status": complaint.get_status_display(),
        "business_type": complaint.business_type.name if complaint.business_type_id else "",
        "summary": complaint.summary,
        "responsibility": complaint.get_responsibility_display() if complaint.responsibility else "",
        "accepted_on": timezone.localtime(complaint.accepted_at).date(),
    }


def my_training(*, user, year: int, month: int) -> dict:
    """A clerk's own page: sessions of their halls this month (signed or not), open retrainings, coverage."""
    from staff.access import hall_ids_with
    from training.models import (
        Attendance,
        RetrainingAssignment,
        RetrainingStatus,
        SessionStatus,
        TrainingSession,
    )

    start, end = month_bounds(year, month)
    hall_ids = hall_ids_with(user, "training.attend") or set()
    sessions = list(
        TrainingSession.objects.filter(hall_id__in=hall_ids, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("hall", "trainer__staff_profile")
        .order_by("starts_at")
    )
    attended = {
        a.session_id: a
        for a in Attendance.objects.filter(
            clerk=user, session__starts_at__gte=start, session__starts_at__lt=end
        )
    }
    for s in sessions:
        s.my_attendance = attended.get(s.pk)
    from standard.services import standard_in_force

    required = int(standard_in_force(at=start)["training.monthly_sessions"])
    retraining = list(
        RetrainingAssignment.objects.filter(clerk=user)
        .select_related("hall", "session")
        .order_by("-assigned_at")[:20]
    )
    return {
        "sessions": sessions,
        "attended": len({a.session_id for a in attended.values()}),
        "required": required,
        "covered": len(attended) >= required,
        "retraining": retraining,
        "open_retraining": [r for r in retraining if r.status == RetrainingStatus.ASSIGNED],
    }
