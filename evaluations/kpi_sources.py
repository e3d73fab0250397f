"""KPI sources of evaluations (the ``kpi`` app discovers this module; plain dicts, no import of kpi).

- ``satisfaction`` (source ``evaluation``): numerator = 非常满意 + 满意， denominator = valid evaluations, per local
  (Asia/Shanghai) day of submission, hall, credited clerk and business type.
- ``evaluation_response`` (source ``evaluation``): numerator = invitations answered, denominator = invitations,
  per local day of invitation (the ticket's finish).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models import TOP_LEVELS, Evaluation, EvaluationInvitation, InvitationStatus

LABELS: dict[str, str] = {"evaluation": _("客户评价")}


def _bounds(day_from: date, day_to: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(day_from, time.min, tz), datetime.combine(
        day_to + timedelta(days=1), time.min, tz
    )


def _day(at: datetime) -> date:
    return timezone.localdate(at)


def parts(*, day_from: date, day_to: date) -> Iterable[dict]:
    start, end = _bounds(day_from, day_to)
    sat: dict = defaultdict(lambda: [0, 0])
    for hall_id, clerk_id, bt_id, level, at in Evaluation.objects.filter(
        submitted_at__gte=start, submitted_at__lt=end, valid=True
    ).values_list("hall_id", "clerk_id", "business_type_id", "level", "submitted_at"):
        key = (_day(at), hall_id, clerk_id, bt_id)
        sat[key][1] += 1
        if level in TOP_LEVELS:
            sat[key][0] += 1
    resp: dict = defaultdict(lambda: [0, 0])
    for hall_id, clerk_id, bt_id, status, at in EvaluationInvitation.objects.filter(
        invited_at__gte=start, invited_at__lt=end
    ).values_list("hall_id", "clerk_id", "business_type_id", "status", "invited_at"):
        key = (_day(at), hall_id, clerk_id, bt_id)
        resp[key][1] += 1
        if status == InvitationStatus.ANSWERED:
            resp[key][0] += 1
    for kpi, table in (("satisfaction", sat), ("evaluation_response", resp)):
        for (day, hall_id, clerk_id, bt_id), (num, den) in sorted(
            table.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or 0, kv[0][3])
        ):
            yield {
                "kpi": kpi,
                "source": "evaluation",
                "day": day,
                "hall_id": hall_id,
                "clerk_id": clerk_id,
                "business_type_id": bt_id,
                "numerator": num,
                "denominator": den,
            }


def rows(
    *,
    source: str,
    day_from: date,
    day_to: date,
    hall_ids: list[int],
    clerk_id: int | None = None,
    kpi: str = "satisfaction",
) -> list[dict]:
    """The evaluations behind a satisfaction figure (``kpi="evaluation_response"``: the invitations behind the
    response rate); no personal information, an excluded evaluation says why."""
    if source != "evaluation":
        return []
    start, end = _bounds(day_from, day_to)
    url = reverse("evaluations:index")
    if kpi == "evaluation_response":
        return _response_rows(start, end, hall_ids, clerk_id, url)
    out: list[dict] = []
    evs = Evaluation.objects.filter(submitted_at__gte=start, submitted_at__lt=end, hall_id__in=hall_ids)
    if clerk_id is not None:
        evs = evs.filter(clerk_id=clerk_id)
    for e in evs.select_related("ticket", "counter").order_by("submitted_at", "pk"):
        counter = f"{e.counter.number}号窗口 " if e.counter else ""
        out.append(
            {
                "at": e.submitted_at,
                "label": f"{e.ticket.number} {counter}{e.get_level_display()}",
                "numerator": 1 if (e.valid and e.level in TOP_LEVELS) else 0,
                "denominator": 1 if e.valid else 0,
                "note": f"{e.get_exclusion_display()}:{e.exclusion_note}({e.get_review_display()})"
                if not e.valid
                else "",
                "url": url,
            }
        )
    return out


def _response_rows(start, end, hall_ids, clerk_id, url) -> list[dict]:
    invs = EvaluationInvitation.objects.filter(
        invited_at__gte=start, invited_at__lt=end, hall_id__in=hall_ids
    )
    if clerk_id is not None:
        invs = invs.filter(clerk_id=clerk_id)
    return [
        {
            "at": inv.invited_at,
            "label": f"{inv.ticket.number} {inv.get_status_display()}",
            "numerator": 1 if inv.status == InvitationStatus.ANSWERED else 0,
            "denominator": 1,
            "note": "" if inv.status == InvitationStatus.ANSWERED else str(inv.get_status_display()),
            "url": url,
        }
        for inv in invs.select_related("ticket").order_by("invited_at", "pk")
    ]
