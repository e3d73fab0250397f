"""Read side of the complaint pages and API: who reads which file, the list ordered by urgency (casework's)."""

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

# Who may read complaint files in a hall: any of these rights there (a greeter has none of them). A right held in
# one hall never opens another where the person holds less.
COMPLAINT_READ = ("complaint.intake", "complaint.handle", "report.view")
HOTSPOT_READ = ("report.view", "complaint.handle")


def complaints_for(user, capabilities=COMPLAINT_READ):
    from complaints.models import Complaint

    return scoped_for(Complaint.objects.all(), user, capabilities)


def complaint_list(
    *,
    user,
    now: datetime,
    status: str = "",
    state: str = "",
    hall_id=None,
    business_type_id=None,
    responsibility: str = "",
):
    """Complaints the user may see, overdue and due-soon first, then by deadline, newest accepted last.
    ``responsibility`` is the CMP-3 archive dimension (company / staff / third party / customer)."""
    from complaints.models import Responsibility, Status

    status = checked_choice(status, Status.values, "status")
    state = checked_choice(state, CLOCK_STATES, "state")
    responsibility = checked_choice(responsibility, Responsibility.values, "responsibility")
    hall_id, business_type_id = checked_id(hall_id, "hall"), checked_id(business_type_id, "business_type")
    qs = complaints_for(user).select_related("hall", "business_type")
    if status:
        qs = qs.filter(status=status)
    if responsibility:
        qs = qs.filter(responsibility=responsibility)
    if hall_id:
        qs = qs.filter(hall_id=hall_id)
    if business_type_id:
        qs = qs.filter(business_type_id=business_type_id)
    qs = filter_clock_state(with_urgency(qs, now=now), state)
    return qs.order_by("urgency", "next_deadline", "-accepted_at")
