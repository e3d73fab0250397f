"""KPI source (SUP-2 on-time, BIZ-2.1): consultation promises answered within their limit ÷ promises due.

Each BIZ-2.1 SLA clock of a consultation is one promise (the 24 h callback, the 1 h online first response, the 48 h
complex online solution). Its state comes from the SLA engine (``sla.models.Clock.state``): met in time counts
in both numerator and denominator; met late or overdue in the denominator only; a clock still running before its
deadline (or paused on the customer) is not due yet; a cancelled clock is not counted. Day = the local day the
clock started; the clerk credited is who answered (else who took the question).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation
from sla.models import Clock, ClockState

LABELS = {"consultation": _("咨询答复")}
SHANGHAI = ZoneInfo("Asia/Shanghai")
_ON_TIME = {ClockState.MET}
_LATE = {ClockState.MET_LATE, ClockState.OVERDUE}


def _clocks(day_from: date, day_to: date, hall_ids=None):
    start = datetime.combine(day_from, time.min, tzinfo=SHANGHAI)
    end = datetime.combine(day_to + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    qs = Clock.objects.filter(
        content_type=ContentType.objects.get_for_model(Consultation),
        started_at__gte=start,
        started_at__lt=end,
    )
    if hall_ids is not None:
        qs = qs.filter(hall_id__in=hall_ids)
    clocks = list(qs.order_by("started_at", "pk"))
    subjects = {
        c.pk: c
        for c in Consultation.objects.filter(pk__in={k.object_id for k in clocks}).only(
            "pk", "number", "business_type_id", "taken_by_id", "answered_by_id", "hall_id"
        )
    }
    return clocks, subjects


def parts(*, day_from: date, day_to: date):
    now = timezone.now()
    clocks, subjects = _clocks(day_from, day_to)
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for clk in clocks:
        state = clk.state(now)
        if state not in _ON_TIME and state not in _LATE:
            continue
        subject = subjects.get(clk.object_id)
        clerk_id = subject and (subject.answered_by_id or subject.taken_by_id)
        key = (
            clk.started_at.astimezone(SHANGHAI).date(),
            clk.hall_id,
            clerk_id,
            subject and subject.business_type_id,
        )
        sums[key][0] += state in _ON_TIME
        sums[key][1] += 1
    for (day, hall_id, clerk_id, bt_id), (num, den) in sums.items():
        yield {
            "kpi": "on_time",
            "source": "consultation",
            "day": day,
            "hall_id": hall_id,
            "clerk_id": clerk_id,
            "business_type_id": bt_id,
            "numerator": num,
            "denominator": den,
        }


def rows(*, source: str, day_from: date, day_to: date, hall_ids: list[int], clerk_id: int | None = None):
    now = timezone.now()
    clocks, subjects = _clocks(day_from, day_to, hall_ids)
    out = []
    for clk in clocks:
        subject = subjects.get(clk.object_id)
        if subject is None:
            continue
        if clerk_id is not None and (subject.answered_by_id or subject.taken_by_id) != clerk_id:
            continue
        state = clk.state(now)
        if state in _ON_TIME:
            num, den, note = 1, 1, ""
        elif state in _LATE:
            num, den, note = 0, 1, gettext("超出答复时限")
        elif state == ClockState.CANCELLED:
            num, den, note = 0, 0, gettext("已取消，不计入")
        else:
            num, den, note = 0, 0, gettext("未到期，暂不计入")
        out.append(
            {
                "at": clk.started_at,
                "label": f"{subject.number} {clk.get_target_display()}",
                "numerator": num,
                "denominator": den,
                "note": note,
                "url": reverse("consultations:detail", args=[subject.pk]),
            }
        )
    return out[:2000]
