"""Read-side queries for the floor's screens and boards (no writes here)."""

from __future__ import annotations

from django.utils import timezone

from floor.models import Announcement, Incident


def open_incident(*, hall) -> Incident | None:
    return Incident.objects.filter(hall=hall, ended_at__isnull=True).first()


def effective_announcements(*, hall, at=None, limit: int = 10) -> list[Announcement]:
    """ENV-3: what the screens show now — temporary notices first, newest first."""
    rows = list(Announcement.objects.for_hall(hall).effective(at).order_by("-starts_at")[: limit * 2])
    rows.sort(key=lambda a: (not a.is_temporary, -a.starts_at.timestamp()))
    return rows[:limit]


def announcement_data(a: Announcement) -> dict:
    return {
        "id": a.pk,
        "kind": a.kind,
        "temporary": a.is_temporary,
        "title": a.title,
        "body": a.body,
        "starts_at": a.starts_at.isoformat(),
        "ends_at": a.ends_at.isoformat() if a.ends_at else None,
        "ends_ts": a.ends_at.timestamp() if a.ends_at else None,
        "channels": [str(c) for c in a.consult_channels()],
        "effective": str(a.effective_label()),
    }


def incident_data(incident: Incident | None, now=None) -> dict | None:
    if incident is None:
        return None
    now = now or timezone.now()
    return {
        "id": incident.pk,
        "kind": incident.kind,
        "kind_label": str(incident.get_kind_display()),
        "notice": incident.customer_notice(now),
        "minutes_left": incident.minutes_left(now),
        "expected_recovery_at": incident.expected_recovery_at.isoformat(),
        "expected_ts": incident.expected_recovery_at.timestamp(),
        "declared_at": incident.declared_at.isoformat(),
    }


def _local_today():
    return timezone.localdate()


def recent_calls(*, hall, limit: int = 8) -> list[dict]:
    """The last calls of today (number and counter), newest first; reads queueing's tickets."""
    from queueing.models import Ticket

    rows = (
        Ticket.objects.filter(
            hall=hall, service_date=_local_today(), called_at__isnull=False, counter__isnull=False
        )
        .select_related("counter", "business_type")
        .order_by("-called_at")[:limit]
    )
    return [
        {
            "number": t.number,
            "counter": t.counter.number,
            "business": t.business_type.name,
            "recall": bool(t.recall_count),
            "at": t.called_at.timestamp(),
        }
        for t in rows
    ]


def waiting_by_category(*, hall) -> list[dict]:
    """Waiting tickets per ticket prefix (A basic, B complex, C consultation…) for the display's counts."""
    from django.db.models import Count

    from catalog.models import BusinessCategory
    from queueing.models import Ticket, TicketStatus

    labels = dict(BusinessCategory.choices)
    rows = (
        Ticket.objects.filter(hall=hall, service_date=_local_today(), status=TicketStatus.WAITING)
        .values("prefix", "business_type__category")
        .annotate(n=Count("pk"))
        .order_by("prefix")
    )
    merged: dict[str, dict] = {}
    for r in rows:
        item = merged.setdefault(
            r["prefix"],
            {"prefix": r["prefix"], "label": str(labels.get(r["business_type__category"], "")), "waiting": 0},
        )
        item["waiting"] += r["n"]
    return list(merged.values())


def display_state(*, hall, now=None) -> dict:
    """Everything a calling display needs to draw itself (also sent again after a resync)."""
    now = now or timezone.now()
    return {
        "hall": {"id": hall.pk, "name": hall.name},
        "calls": recent_calls(hall=hall),
        "waiting": waiting_by_category(hall=hall),
        "announcements": [announcement_data(a) for a in effective_announcements(hall=hall, at=now)],
        "incident": incident_data(open_incident(hall=hall), now),
        "now": now.timestamp(),
    }
