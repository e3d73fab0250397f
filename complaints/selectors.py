"""Read side shared by the complaint and consultation pages and API: lists ordered by urgency, timelines."""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from lib.errors import ServiceError
from sla.models import OPEN_STATUSES as CLOCK_OPEN
from sla.models import Clock

CLOCK_STATES = ("overdue", "due_soon", "ok", "none")

# Who may read complaint files / consultations in a hall: any of these rights there (a greeter has none of the
# complaint ones). A right held in one hall never opens another where the person holds less.
COMPLAINT_READ = ("complaint.intake", "complaint.handle", "report.view")
HOTSPOT_READ = ("report.view", "complaint.handle")
CONSULTATION_READ = ("consultation.intake", "consultation.handle", "report.view")


def scoped_for(qs, user, capabilities):
    """``qs`` narrowed to the halls where ``user`` holds at least one of ``capabilities``."""
    from staff.access import hall_ids_with

    ids: set[int] = set()
    for capability in capabilities:
        found = hall_ids_with(user, capability)
        if found is None:  # HQ role granting it: every hall
            return qs
        ids |= found
    return qs.filter(hall_id__in=ids)


def complaints_for(user, capabilities=COMPLAINT_READ):
    from complaints.models import Complaint

    return scoped_for(Complaint.objects.all(), user, capabilities)


def consultations_for(user):
    from consultations.models import Consultation

    return scoped_for(Consultation.objects.all(), user, CONSULTATION_READ)


def as_id(value) -> int | None:
    """A filter value from a query string: an id, or nothing (a bad value filters nothing rather than failing)."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def with_urgency(qs, *, now: datetime):
    """Annotate each row with its most urgent open clock (deadline, warn time) and an urgency rank:
    0 overdue, 1 due soon, 2 running, 3 no open clock. Two correlated subqueries on the clock subject index."""
    ct = ContentType.objects.get_for_model(qs.model, for_concrete_model=False)
    open_clocks = Clock.objects.filter(
        content_type=ct, object_id=OuterRef("pk"), status__in=CLOCK_OPEN
    ).order_by("deadline")
    qs = qs.annotate(
        next_deadline=Subquery(open_clocks.values("deadline")[:1]),
        next_warn_at=Subquery(open_clocks.values("warn_at")[:1]),
        next_target=Subquery(open_clocks.values("target")[:1]),
    )
    return qs.annotate(
        urgency=Case(
            When(next_deadline__isnull=True, then=Value(3)),
            When(next_deadline__lte=now, then=Value(0)),
            When(next_warn_at__lte=now, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )


def filter_clock_state(qs, state: str):
    rank = {"overdue": 0, "due_soon": 1, "ok": 2, "none": 3}.get(state)
    return qs if rank is None else qs.filter(urgency=rank)


def checked_choice(value, allowed, field: str) -> str:
    """A filter value from a query string: empty (no filter) or one of ``allowed``. Anything else is a 400
    (``invalid_filter``): an unknown value is never silently ignored (it would show an unfiltered list)."""
    value = "" if value is None else str(value)
    if value and value not in allowed:
        raise ServiceError("invalid_filter", _("筛选条件不正确"), field=field)
    return value


def checked_id(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    found = as_id(value)
    if found is None or not 0 < found < 2**63:
        raise ServiceError("invalid_filter", _("筛选条件不正确"), field=field)
    return found


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


def clocks_with_state(subject, *, now: datetime) -> list[dict]:
    from sla.selectors import clocks_for

    return [
        {"clock": c, "state": c.state(now)}
        for c in sorted(clocks_for(subject), key=lambda c: (c.started_at, c.target, c.cycle))
    ]


def state_of(row) -> str:
    return CLOCK_STATES[getattr(row, "urgency", 3)]
