"""KPI source (SUP-2 on-time, BIZ-2.2): tickets handled within the limit of the standard in force when handling
started ÷ tickets handled. The judgement is the ticket's own ``within_limit``, fixed by ``ticket_finish`` from the
limit copied onto the ticket at start (``Ticket.clock``): this module counts it, it does not restate it.

Handled = finished with a BIZ-2.2 limit (``within_limit`` set). A no-show never finishes and is not counted; a
recalled ticket counts once; a transferred ticket counts once, for the clerk who finished it, from the limit fixed
when that clerk started. A business without a BIZ-2.2 limit (consultation desk) is not timed and not counted.
Day = the ticket's service date (the hall's local day).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from queueing.models import Ticket, TicketStatus

LABELS = {"ticket": _("窗口业务办理")}


def parts(*, day_from: date, day_to: date):
    qs = (
        Ticket.objects.filter(
            service_date__gte=day_from, service_date__lte=day_to, within_limit__isnull=False
        )
        .values("service_date", "hall_id", "clerk_id", "business_type_id")
        .annotate(num=Count("pk", filter=Q(within_limit=True)), den=Count("pk"))
        .order_by()
    )
    for row in qs:
        yield {
            "kpi": "on_time",
            "source": "ticket",
            "day": row["service_date"],
            "hall_id": row["hall_id"],
            "clerk_id": row["clerk_id"],
            "business_type_id": row["business_type_id"],
            "numerator": row["num"],
            "denominator": row["den"],
        }


def rows(*, source: str, day_from: date, day_to: date, hall_ids: list[int], clerk_id: int | None = None):
    qs = Ticket.objects.filter(
        Q(within_limit__isnull=False) | Q(status=TicketStatus.NO_SHOW),
        service_date__gte=day_from,
        service_date__lte=day_to,
        hall_id__in=hall_ids,
    ).select_related("business_type")
    if clerk_id is not None:
        qs = qs.filter(clerk_id=clerk_id)
    out = []
    for t in qs.order_by("service_date", "pk")[:2000]:
        if t.within_limit is None:
            note, num, den = gettext("过号，不计入"), 0, 0
        else:
            clk = t.clock()
            num, den = (1 if t.within_limit else 0), 1
            note = (
                ""
                if t.within_limit
                else gettext("超出时限 %(m)s 分钟") % {"m": max(1, -(clk.seconds_left or 0) // 60)}
            )
            if t.recall_count:
                note = (note + " " if note else "") + gettext("重呼 %(n)s 次") % {"n": t.recall_count}
        out.append(
            {
                "at": t.finished_at or t.no_show_at or t.issued_at,
                "label": f"{t.service_date:%m-%d} {t.number} {t.business_type.name}",
                "numerator": num,
                "denominator": den,
                "note": note,
                "url": reverse("queueing:records") + f"?hall={t.hall_id}&date={t.service_date:%Y-%m-%d}",
            }
        )
    return out
