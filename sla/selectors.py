"""Read-side queries on clocks shared by pages, API and other apps."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType

from sla.models import OPEN_STATUSES, Clock


def clocks_for(subject):
    """Every clock of a subject (all targets and cycles), oldest first, with their events prefetched."""
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return (
        Clock.objects.filter(content_type=ct, object_id=subject.pk)
        .order_by("started_at", "pk")
        .prefetch_related("events")
    )


def clocks_board(user, *, now: datetime, within_hours: float = 4, hall_id: int | None = None):
    """Open clocks in the halls where the user holds ``sla.view`` that are overdue or due within ``within_hours``, most urgent first."""
    qs = Clock.objects.for_user(user, "sla.view").filter(
        status__in=OPEN_STATUSES, deadline__lte=now + timedelta(hours=within_hours)
    )
    if hall_id:
        qs = qs.filter(hall_id=hall_id)
    return qs.select_related("hall", "content_type").order_by("deadline", "pk")
