"""The official holiday arrangement as data （法定节假日 / 调休上班， CMP-2.1 and BIZ-2.1 business-hour limits) and each
hall's own holiday hours. HQ enters or corrects a year (``official_year_set``); the business-hour calendar reads
both (``business_calendar_for``). From December, HQ is warned while next year is missing (``missing_next_year``):
without it every day of next year would count as an ordinary day."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import DayKind, HallDayHours, OfficialDay, OfficialYear
from lib.errors import ServiceError
from lib.memo import Memo
from staff.access import require

# chinese_calendar names its holidays in English; the hall reads Chinese.
LIBRARY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def library_years() -> dict[int, list[tuple[date, str, str]]]:
    """Year → [(day, kind, Chinese name)] for every year the installed ``chinese_calendar`` knows."""
    import chinese_calendar

    out: dict[int, list] = {}
    for day, name in chinese_calendar.holidays.items():
        if name is not None:  # the library also lists ordinary weekends with name None
            out.setdefault(day.year, []).append((day, DayKind.HOLIDAY, LIBRARY_NAMES.get(name, name)))
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5 and name is not None:
            out.setdefault(day.year, []).append((day, DayKind.WORKDAY, LIBRARY_NAMES.get(name, name)))
    return out


def parse_days(text: str, *, year: int, field: str) -> list[tuple[date, str]]:
    """Lines ``YYYY-MM-DD 名称`` (name optional); ranges ``YYYY-MM-DD~YYYY-MM-DD 名称`` for a holiday span."""
    out = []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        head, _sep, name = line.partition(" ")
        try:
            if "~" in head:
                a, b = (date.fromisoformat(x) for x in head.split("~", 1))
            else:
                a = b = date.fromisoformat(head)
        except ValueError:
            raise ServiceError(
                "invalid_day", _("第%(n)d行日期格式应为 YYYY-MM-DD") % {"n": n}, field=field
            ) from None
        if a.year != year or b.year != year or b < a or (b - a).days > 31:
            raise ServiceError("invalid_day", _("第%(n)d行日期不在该年份内") % {"n": n}, field=field)
        day = a
        while day <= b:
            out.append((day, name.strip()[:50]))
            day = date.fromordinal(day.toordinal() + 1)
    return out


@transaction.atomic
def official_year_set(*, year: int, holidays: list, workdays: list, user) -> OfficialYear:
    """Enter or correct one year's arrangement (replaces its days). HQ only."""
    require(user, "standard.publish")
    if not 2000 <= year <= 2100:
        raise ServiceError("invalid_year", _("年份不正确"), field="year")
    if not holidays:
        raise ServiceError("holidays_required", _("请填写该年的法定节假日"), field="holidays")
    clash = {d for d, _n in holidays} & {d for d, _n in workdays}
    if clash:
        raise ServiceError("day_twice", _("同一天不能既是节假日又是调休上班日"), field="workdays")
    for d, _n in workdays:
        if d.weekday() < 5:
            raise ServiceError("workday_weekday", _("调休上班日应为周六或周日"), field="workdays")
    record, _created = OfficialYear.objects.update_or_create(
        year=year, defaults={"source": "hq", "confirmed_by": user, "confirmed_at": timezone.now()}
    )
    record.days.all().delete()
    OfficialDay.objects.bulk_create(
        [OfficialDay(year=record, day=d, kind=DayKind.HOLIDAY, name=n) for d, n in holidays]
        + [OfficialDay(year=record, day=d, kind=DayKind.WORKDAY, name=n) for d, n in workdays]
    )
    return record


def missing_next_year(now: datetime | None = None) -> int | None:
    """Next year, when it is December and next year's arrangement is not entered yet; else None."""
    today = timezone.localdate(now or timezone.now())
    if today.month != 12:
        return None
    nxt = today.year + 1
    return None if OfficialYear.objects.filter(year=nxt).exists() else nxt


def _official_day_kind_of():
    """A ``day → 'holiday' | 'makeup' | 'normal'`` function from the stored arrangement. A year without a row falls
    back to the library (which calls years it does not know ordinary)."""
    from sla.calendars import day_kind as library_day_kind

    known = set(OfficialYear.objects.values_list("year", flat=True))
    days = dict(OfficialDay.objects.values_list("day", "kind"))

    def kind_of(day: date) -> str:
        if day.year not in known:
            return library_day_kind(day)
        kind = days.get(day)
        if kind == DayKind.HOLIDAY:
            return "holiday"
        if kind == DayKind.WORKDAY:
            return "makeup"
        return "normal"

    return kind_of


def _hall_day_hours(hall_id: int) -> dict[date, list]:
    return dict(HallDayHours.objects.filter(hall_id=hall_id).values_list("day", "hours"))


# Every kiosk issue and every SLA clock asks for a hall's calendar; the arrangement and a hall's own dates change a
# few times a year, so they are read once per TTL (lib.memo; a save or delete here forgets them at once).
_official = Memo(
    "halls.official_days", ttl=60.0, maxsize=2, models=("halls.OfficialYear", "halls.OfficialDay")
)
_day_hours = Memo("halls.day_hours", ttl=30.0, maxsize=10_000, models=("halls.HallDayHours",))


def official_day_kind_of():
    """A ``day → 'holiday' | 'makeup' | 'normal'`` function from the stored arrangement (see ``_official_day_kind_of``)."""
    return _official.get("all", _official_day_kind_of)


def hall_day_hours(hall) -> dict[date, list]:
    """The hall's own dates (holiday opening hours, closures): ``day → hours``."""
    return _day_hours.get(hall.pk, lambda: _hall_day_hours(hall.pk))


def business_calendar_for(hall):
    """The hall's business-hour calendar: weekly hours, the official arrangement, and the hall's own dates."""
    from sla.calendars import BusinessCalendar

    return BusinessCalendar(
        hall.opening_hours, day_kind_of=official_day_kind_of(), day_hours=hall_day_hours(hall)
    )
