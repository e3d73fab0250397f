"""KPI source (SUP-2 complaint resolution, CMP-2): complaints accepted in the period and resolved ÷ accepted.

Resolved = the result was notified to the customer (the first "notified" event) and the file was not reopened
within ``kpi.complaint_reopen_window_days`` after that. Until the window closes the resolution is provisional (a
reopen inside it turns it unresolved; the nightly re-run of recent days picks that up). A complaint not yet
notified is "still open": in the denominator, and also counted in ``pending`` so pages show it separately. A
reclassification (general ↔ complex) changes nothing here: the complaint is counted once, on its acceptance day.
The clerk credited is the one who served the linked ticket, if any.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint, ComplaintEvent, EventKind
from lib.errors import NotFound
from standard.models import StandardVersion
from standard.services import standard_in_force

LABELS = {"complaint": _("投诉处理")}
SHANGHAI = ZoneInfo("Asia/Shanghai")
WINDOW_PARAM = "kpi.complaint_reopen_window_days"


def _window_days(at: datetime) -> int:
    try:
        return int(standard_in_force(at=at)[WINDOW_PARAM])
    except NotFound:  # accepted before the first standard version: judged by the first one
        first = StandardVersion.objects.order_by("effective_from").first()
        return int(first.values()[WINDOW_PARAM]) if first else 15


def _judged(day_from: date, day_to: date, hall_ids=None, clerk_id=None):
    """(complaint, local day, clerk id, state, note) with state "resolved" | "reopened" | "open"."""
    start = datetime.combine(day_from, time.min, tzinfo=SHANGHAI)
    end = datetime.combine(day_to + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    qs = Complaint.objects.filter(accepted_at__gte=start, accepted_at__lt=end).select_related("ticket")
    if hall_ids is not None:
        qs = qs.filter(hall_id__in=hall_ids)
    complaints = list(qs.order_by("accepted_at", "pk"))
    events: dict[int, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for cid, kind, at in (
        ComplaintEvent.objects.filter(
            complaint__in=[c.pk for c in complaints], kind__in=[EventKind.NOTIFIED, EventKind.REOPENED]
        )
        .order_by("at")
        .values_list("complaint_id", "kind", "at")
    ):
        events[cid][kind].append(at)
    windows: dict[date, int] = {}
    now = timezone.now()
    for c in complaints:
        day = c.accepted_at.astimezone(SHANGHAI).date()
        cid_clerk = c.ticket.clerk_id if c.ticket_id and c.ticket else None
        if clerk_id is not None and cid_clerk != clerk_id:
            continue
        if day not in windows:
            windows[day] = _window_days(c.accepted_at)
        notified = events[c.pk][EventKind.NOTIFIED]
        if not notified:
            yield c, day, cid_clerk, "open", gettext("尚未告知处理结果")
            continue
        window_end = notified[0] + timedelta(days=windows[day])
        if any(notified[0] < at <= window_end for at in events[c.pk][EventKind.REOPENED]):
            yield c, day, cid_clerk, "reopened", gettext("告知结果后在观察期内重新打开")
        elif window_end > now:
            yield (
                c,
                day,
                cid_clerk,
                "resolved",
                gettext("观察期至 %(d)s") % {"d": f"{window_end.astimezone(SHANGHAI):%m-%d}"},
            )
        else:
            yield c, day, cid_clerk, "resolved", ""


def parts(*, day_from: date, day_to: date):
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for c, day, clerk_id, state, _note in _judged(day_from, day_to):
        key = (day, c.hall_id, clerk_id, c.business_type_id)
        sums[key][0] += state == "resolved"
        sums[key][1] += 1
        sums[key][2] += state == "open"
    for (day, hall_id, clerk_id, bt_id), (num, den, pending) in sums.items():
        yield {
            "kpi": "complaint_resolution",
            "source": "complaint",
            "day": day,
            "hall_id": hall_id,
            "clerk_id": clerk_id,
            "business_type_id": bt_id,
            "numerator": num,
            "denominator": den,
            "pending": pending,
        }


def rows(*, source: str, day_from: date, day_to: date, hall_ids: list[int], clerk_id: int | None = None):
    return [
        {
            "at": c.accepted_at,
            "label": c.number,
            "numerator": int(state == "resolved"),
            "denominator": 1,
            "note": note,
            "url": reverse("complaints:detail", args=[c.pk]),
        }
        for c, _day, _clerk, state, note in _judged(day_from, day_to, hall_ids, clerk_id)
    ][:2000]
