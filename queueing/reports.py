"""Daily summaries (issue 3 §7): per hall and per clerk — served, no-shows, average wait and handling, % within
the BIZ-2.2 limit (judged by the standard in force when each handling started)."""

from __future__ import annotations

from queueing.models import Ticket
from queueing.selectors import day_totals


def daily_summary(*, hall, day) -> dict:
    tickets = list(
        Ticket.objects.filter(hall_id=hall.pk, service_date=day)
        .select_related("business_type", "counter", "clerk__staff_profile")
        .order_by("issued_at", "pk")
    )
    clerks = {}
    for t in tickets:
        if t.clerk_id and t.clerk_id not in clerks:
            profile = getattr(t.clerk, "staff_profile", None)
            clerks[t.clerk_id] = profile.full_name if profile else t.clerk.username
    return {
        "hall": day_totals(hall_id=hall.pk, day=day),
        "clerks": [
            {"id": cid, "name": name, "totals": day_totals(hall_id=hall.pk, day=day, clerk_id=cid)}
            for cid, name in sorted(clerks.items(), key=lambda kv: kv[1])
        ],
        "tickets": tickets,
    }
