"""Daily summaries (issue 3 §7): per hall and per clerk — served, no-shows, average wait and handling, % within
the BIZ-2.2 limit (judged by the standard in force when each handling started).

Computed in the database (issue 14): the hall's totals in one aggregate, every clerk's in one GROUP BY, their names
in one query — the cost no longer follows the day's tickets (10k tickets in a day took 1.7 s when each was loaded
into Python). The export reads the tickets as a stream (``day_tickets``)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from queueing.models import Ticket
from queueing.selectors import day_aggregates, day_totals, totals_from


def daily_summary(*, hall, day) -> dict:
    return {"hall": day_totals(hall_id=hall.pk, day=day), "clerks": clerk_totals(hall_id=hall.pk, day=day)}


def clerk_totals(*, hall_id: int, day) -> list[dict]:
    """Every clerk who handled a ticket of the day, by name: ``[{"id", "name", "totals"}]`` in two queries."""
    rows = list(
        Ticket.objects.filter(hall_id=hall_id, service_date=day, clerk_id__isnull=False)
        .values("clerk_id")
        .annotate(**day_aggregates())
        .order_by()
    )
    users = (
        get_user_model().objects.filter(pk__in=[r["clerk_id"] for r in rows]).select_related("staff_profile")
    )
    names = {}
    for u in users:
        profile = getattr(u, "staff_profile", None)
        names[u.pk] = profile.full_name if profile else u.username
    clerks = [
        {"id": r["clerk_id"], "name": names.get(r["clerk_id"], ""), "totals": totals_from(r)} for r in rows
    ]
    return sorted(clerks, key=lambda c: c["name"])


def day_tickets(*, hall, day, chunk_size: int = 2000):
    """The day's tickets in issue order, read in chunks (never the whole day in memory)."""
    return (
        Ticket.objects.filter(hall_id=hall.pk, service_date=day)
        .select_related("business_type", "counter")
        .order_by("issued_at", "pk")
        .iterator(chunk_size=chunk_size)
    )
