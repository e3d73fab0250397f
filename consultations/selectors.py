"""Read side of the consultation pages and API (BIZ-2.1): who reads which consultation, the list by urgency."""

from __future__ import annotations

from datetime import datetime

from casework.selectors import (
    CLOCK_STATES,
    checked_choice,
    checked_id,
    filter_clock_state,
    scoped_for,
    with_urgency,
)

# Who may read consultations in a hall: any of these rights there. A right held in one hall never opens another.
CONSULTATION_READ = ("consultation.intake", "consultation.handle", "report.view")


def consultations_for(user):
    from consultations.models import Consultation

    return scoped_for(Consultation.objects.all(), user, CONSULTATION_READ)


def consultation_list(*, user, now: datetime, status: str = "", state: str = "", hall_id=None):
    from consultations.models import Status

    status = checked_choice(status, Status.values, "status")
    state = checked_choice(state, CLOCK_STATES, "state")
    hall_id = checked_id(hall_id, "hall")
    qs = consultations_for(user).select_related("hall", "business_type", "taken_by")
    if status:
        qs = qs.filter(status=status)
    if hall_id:
        qs = qs.filter(hall_id=hall_id)
    qs = filter_clock_state(with_urgency(qs, now=now), state)
    return qs.order_by("urgency", "next_deadline", "-recorded_at")
