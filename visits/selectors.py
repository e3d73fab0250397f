"""Read side of home visits: who may read which visit, and the filtered list (unknown filter values are a 400)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from lib.errors import ServiceError

MAX_ID = 2**63 - 1  # a database integer key; larger values must be a 400, not an overflow (500)


def as_id(value, field: str = "hall") -> int:
    """An id from a filter: a positive integer that fits a database key, else a 400 (never ignored)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= MAX_ID:
        raise ServiceError(f"invalid_{field}", _("营业厅参数不正确"), field=field)
    return number


# Who reads a hall's visits: those who book, handle or report there; a clerk reads the visits they are sent to.
VISIT_READ = ("visit.book", "visit.handle", "report.view")


def visits_for(user):
    from staff.access import hall_ids_with
    from visits.models import HomeVisit

    ids: set[int] = set()
    for capability in VISIT_READ:
        found = hall_ids_with(user, capability)
        if found is None:
            return HomeVisit.objects.all()
        ids |= found
    return HomeVisit.objects.filter(Q(hall_id__in=ids) | Q(clerk_id=getattr(user, "pk", None)))


def visit_list(*, user, status: str = "", hall_id=None, mine: bool = False):
    from visits.models import OPEN_STATUSES, Status

    if status and status not in Status.values:
        raise ServiceError("invalid_status", _("状态参数不正确"), field="status")
    qs = visits_for(user).select_related("hall", "clerk__staff_profile", "business_type")
    if hall_id not in (None, ""):
        qs = qs.filter(hall_id=as_id(hall_id))
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(clerk=user)
    open_first = Case(
        When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.annotate(closed=open_first).order_by("closed", "scheduled_at", "-booked_at")
