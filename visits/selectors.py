"""Read side of home visits: who may read which visit, and the filtered list (unknown filter values are a 400)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from lib.errors import ServiceError

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
        try:
            qs = qs.filter(hall_id=int(hall_id))
        except (TypeError, ValueError):
            raise ServiceError("invalid_hall", _("营业厅参数不正确"), field="hall") from None
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(clerk=user)
    open_first = Case(
        When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.annotate(closed=open_first).order_by("closed", "scheduled_at", "-booked_at")
