"""Quarterly process optimisation (SUP-3): record a process change and measure it — average handling time, on-time
rate (BIZ-2.2, from the tickets' own ``within_limit``) and average wait — over the same number of days before and
after the change took effect, for that business type at that hall."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import BusinessType
from kpi.models import ProcessChange
from lib.errors import ServiceError
from queueing.models import Ticket, TicketStatus
from staff.access import require

WINDOW_DAYS = 30


def quarter_of(d: date) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def process_change_record(
    *, hall, business_type, effective_on: date, description: str, actor
) -> ProcessChange:
    require(actor, "kpi.meeting", hall)
    if not BusinessType.objects.filter(pk=getattr(business_type, "pk", business_type), halls=hall).exists():
        raise ServiceError("unknown_business", _("本厅不办理该业务"), field="business_type")
    description = (description or "").strip()
    if not description:
        raise ServiceError("description_required", _("请填写优化内容"), field="description")
    with transaction.atomic():
        return ProcessChange.objects.create(
            hall=hall,
            business_type_id=getattr(business_type, "pk", business_type),
            quarter=quarter_of(effective_on),
            effective_on=effective_on,
            description=description,
            recorded_by=actor,
        )


def _measure(hall_id: int, bt_id: int, day_from: date, day_to: date) -> dict:
    handling = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    wait = ExpressionWrapper(F("first_called_at") - F("arrival_at"), output_field=DurationField())
    agg = Ticket.objects.filter(
        hall_id=hall_id, business_type_id=bt_id, service_date__gte=day_from, service_date__lte=day_to
    ).aggregate(
        handled=Count("pk", filter=Q(status=TicketStatus.DONE)),
        timed=Count("pk", filter=Q(within_limit__isnull=False)),
        within=Count("pk", filter=Q(within_limit=True)),
        avg_handling=Avg(handling, filter=Q(status=TicketStatus.DONE, started_at__isnull=False)),
        avg_wait=Avg(wait, filter=Q(first_called_at__isnull=False)),
    )

    def minutes(v):
        return None if v is None else round(v.total_seconds() / 60, 1)

    return {
        "handled": agg["handled"],
        "on_time_pct": round(100 * agg["within"] / agg["timed"], 2) if agg["timed"] else None,
        "avg_handling_minutes": minutes(agg["avg_handling"]),
        "avg_wait_minutes": minutes(agg["avg_wait"]),
    }


def process_effect(change: ProcessChange, *, today: date, days: int = WINDOW_DAYS) -> dict:
    """Before = the ``days`` days before the change; after = from the change, up to ``days`` days and yesterday."""
    before = _measure(
        change.hall_id,
        change.business_type_id,
        change.effective_on - timedelta(days=days),
        change.effective_on - timedelta(days=1),
    )
    end = min(change.effective_on + timedelta(days=days - 1), today - timedelta(days=1))
    after = (
        _measure(change.hall_id, change.business_type_id, change.effective_on, end)
        if end >= change.effective_on
        else None
    )
    return {"before": before, "after": after, "days": days}
