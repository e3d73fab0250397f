"""The case files' read side (complaints, consultations, visits and what comes next): scoping by the user's halls,
urgency from the SLA clocks, strict filter values, the timeline of clocks."""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from lib.errors import ServiceError
from sla.models import OPEN_STATUSES as CLOCK_OPEN
from sla.models import Clock

CLOCK_STATES = ("overdue", "due_soon", "ok", "none")


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


def clocks_with_state(subject, *, now: datetime) -> list[dict]:
    from sla.selectors import clocks_for

    return [
        {"clock": c, "state": c.state(now)}
        for c in sorted(clocks_for(subject), key=lambda c: (c.started_at, c.target, c.cycle))
    ]


def state_of(row) -> str:
    return CLOCK_STATES[getattr(row, "urgency", 3)]
