"""Three cleanings a day (ENV-4): rounds per hall and date from its opening hours for that date (holidays closed,
调休 days open, via sla.calendars), each with a window; done on time, late, or missed — never silently absent."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.models import CleaningRound, CleaningSheet, RoundKind, RoundStatus
from facilities.services._common import checked_photos, files_guard, local_day, store_photo, text
from halls.models import Hall
from lib.errors import Conflict, ServiceError
from sla.calendars import BusinessCalendar, day_kind
from staff.access import require
from standard.services import standard_in_force


def round_windows(
    opening_hours: dict,
    day: date,
    *,
    patrol_hours: float,
    pre_minutes: float,
    closing_minutes: float,
    day_kind_of=day_kind,
) -> list[tuple[str, int, datetime, datetime]]:
    """(kind, seq, window start, window end) for one day; [] on a closed day (nothing due, not 0 %).

    Pre-opening: the ``pre_minutes`` before the first opening. Patrols: one per full ``patrol_hours`` block of each
    opening interval (a lunch break is not patrolled). Closing: the ``closing_minutes`` after the last closing."""
    intervals = BusinessCalendar(opening_hours, day_kind_of=day_kind_of).intervals_on(day)
    if not intervals:
        return []
    step = timedelta(hours=patrol_hours)
    first_open, last_close = intervals[0][0], intervals[-1][1]
    out = [(RoundKind.PRE_OPENING.value, 1, first_open - timedelta(minutes=pre_minutes), first_open)]
    seq = 0
    for start, end in intervals:
        t = start
        while step.total_seconds() > 0 and t + step <= end:
            seq += 1
            out.append((RoundKind.PATROL.value, seq, t, t + step))
            t += step
    out.append((RoundKind.CLOSING.value, 1, last_close, last_close + timedelta(minutes=closing_minutes)))
    return out


def _params(at):
    std = standard_in_force(at=at)
    return {
        "patrol_hours": float(std.get("cleaning.patrol_hours", 2)),
        "pre_minutes": float(std.get("cleaning.pre_opening_minutes", 60)),
        "closing_minutes": float(std.get("cleaning.closing_window_minutes", 60)),
    }, float(std.get("cleaning.late_grace_minutes", 60))


def rounds_generate(*, hall: Hall, day: date, now: datetime | None = None) -> int:
    """Idempotent (unique per hall, day, kind, seq; ON CONFLICT DO NOTHING)."""
    params, _grace = _params(now or timezone.now())
    rows = [
        CleaningRound(hall=hall, day=day, kind=kind, seq=seq, window_start=a, window_end=b)
        for kind, seq, a, b in round_windows(hall.opening_hours, day, **params)
    ]
    CleaningRound.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def cleaning_sweep(*, now: datetime | None = None) -> dict:
    """Generate today's and tomorrow's rounds for every active hall that has none yet; mark missed the rounds not
    done by their window's end plus the grace."""
    now = now or timezone.now()
    params, grace = _params(now)
    today = local_day(now)
    days = [today, today + timedelta(days=1)]
    have = set(CleaningRound.objects.filter(day__in=days).values_list("hall_id", "day").distinct())
    rows = []
    for hall in Hall.objects.filter(is_active=True).only("pk", "opening_hours"):
        for day in days:
            if (hall.pk, day) in have:
                continue
            rows += [
                CleaningRound(hall=hall, day=day, kind=kind, seq=seq, window_start=a, window_end=b)
                for kind, seq, a, b in round_windows(hall.opening_hours, day, **params)
            ]
    CleaningRound.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    missed = CleaningRound.objects.filter(
        status=RoundStatus.DUE, window_end__lt=now - timedelta(minutes=grace)
    ).update(status=RoundStatus.MISSED)
    return {"generated": len(rows), "missed": missed}


def round_complete(*, user, cleaning_round: CleaningRound, note: str = "", photo=None) -> CleaningRound:
    """Done in a few taps; late after the window, refused once marked missed."""
    require(user, "facility.maintain", cleaning_round.hall_id)
    now = timezone.now()
    if now < cleaning_round.window_start:
        raise ServiceError("round_not_open", _("该清洁尚未到时间"), field="round")
    note = text(note, field="note", max_length=300)
    photos = checked_photos([photo] if photo else [], field="photo")
    with files_guard() as stored, transaction.atomic():
        if not CleaningRound.objects.filter(pk=cleaning_round.pk, status=RoundStatus.DUE).update(
            status=RoundStatus.DONE, done_at=now, done_by=user
        ):
            current = CleaningRound.objects.get(pk=cleaning_round.pk)
            if current.status == RoundStatus.MISSED:
                raise Conflict("round_missed", _("该清洁已记为未完成，不能补登"))
            raise Conflict("round_done", _("该清洁已完成"))
        cleaning_round.refresh_from_db()
        if note:
            cleaning_round.note = note
            cleaning_round.save(update_fields=["note"])
        for item in photos:
            store_photo(
                item, hall_id=cleaning_round.hall_id, user=user, stored=stored, cleaning_round=cleaning_round
            )
    return cleaning_round


def sheet_sign(*, user, hall: Hall, day: date) -> CleaningSheet:
    """The duty supervisor countersigns the day's sheet once every round is settled (done or missed)."""
    require(user, "facility.supervise", hall)
    rounds = CleaningRound.objects.filter(hall=hall, day=day)
    if not rounds.exists():
        raise ServiceError("sheet_empty", _("当日没有清洁安排"), field="day")
    if rounds.filter(status=RoundStatus.DUE).exists():
        raise Conflict("sheet_incomplete", _("当日仍有未到期或未完成的清洁，暂不能签字"))
    try:
        with transaction.atomic():
            return CleaningSheet.objects.create(hall=hall, day=day, signed_by=user)
    except IntegrityError:
        raise Conflict("sheet_signed", _("当日清洁记录表已签字")) from None
