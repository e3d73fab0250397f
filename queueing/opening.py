"""When the kiosk may issue (issue 10 §2): the hall's opening hours on the business calendar (statutory holidays
closed, 调休 working days open, the hall's own holiday hours and closures — ``halls.holidays``), and the hall's
choice to queue before opening. The kiosk page, the kiosk device API and the hot path all ask ``kiosk_require_open``."""

from __future__ import annotations

from datetime import datetime

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from halls.holidays import business_calendar_for
from lib.errors import Conflict
from lib.memo import Memo
from sla.calendars import BusinessCalendar, NoOpeningHours


def hall_calendar(hall) -> BusinessCalendar:
    # The same calendar the SLA clocks use: weekly hours, the official arrangement, the hall's own dates.
    return business_calendar_for(hall)


def kiosk_opening(*, hall, now: datetime) -> dict:
    """``{"open", "opens_at", "may_issue", "before_opening"}`` for the kiosk at ``now``.

    Outside opening hours nothing is promised as a wait: the screen says when the hall opens; it issues only when
    the hall chose to queue before opening and the hall opens later the same day."""
    cal = hall_calendar(hall)
    if cal.is_open(now):
        return {"open": True, "opens_at": None, "may_issue": True, "before_opening": False}
    try:
        opens_at = cal.next_open(now)
    except NoOpeningHours:
        opens_at = None
    same_day = opens_at is not None and timezone.localdate(opens_at) == timezone.localdate(now)
    before = bool(hall.queue_before_opening and same_day)
    return {"open": False, "opens_at": opens_at, "may_issue": before, "before_opening": before}


def opens_text(opens_at, *, now: datetime) -> str:
    """When the hall opens, as the kiosk says it (in the active language)."""
    if opens_at is None:
        return _("暂停营业")
    local = timezone.localtime(opens_at)
    if timezone.localdate(now) == local.date():
        return _("今天 %(time)s") % {"time": local.strftime("%H:%M")}
    return formats.date_format(local, _("n月j日（l） H:i"))


class HallClosed(Conflict):
    """409 ``hall_closed``: the message says when the hall opens, in each language; the API adds ``opens_at``."""

    def __init__(self, *, opens_at, now: datetime):
        self.opens_at = opens_at
        self.now = now
        super().__init__("hall_closed", "")
        self.message = self._text()
        self.extra = {"opens_at": opens_at.isoformat() if opens_at is not None else None}

    def _text(self) -> str:
        return _("本厅现在不营业，营业时间：%(opens)s") % {"opens": opens_text(self.opens_at, now=self.now)}

    def messages(self) -> dict[str, str]:
        with translation.override("zh-hans"):
            zh = self._text()
        with translation.override("en"):
            en = self._text()
        return {"message": zh, "message_en": en}


def kiosk_require_open(*, hall, now: datetime) -> dict:
    """The kiosk's rule for issuing a ticket: refuse (``HallClosed``) outside opening hours unless the hall queues
    before opening today. Returns ``kiosk_opening``'s answer."""
    opening = kiosk_opening(hall=hall, now=now)
    if not opening["may_issue"]:
        raise HallClosed(opens_at=opening["opens_at"], now=now)
    return opening


# The hot path asks on every issue: the hall row (opening hours, queue-before-opening) read once per TTL.
_halls = Memo("queueing.kiosk_halls", ttl=5.0, maxsize=10_000, models=("halls.Hall",))


def kiosk_may_issue(hall_id: int, now: datetime) -> bool:
    """``kiosk_require_open``'s answer as a yes/no for the hot path (which leaves a refusal to Django)."""
    from halls.models import Hall

    hall = _halls.get(hall_id, lambda: Hall.objects.get(pk=hall_id))
    return kiosk_opening(hall=hall, now=now)["may_issue"]
