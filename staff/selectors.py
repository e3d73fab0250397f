"""Read-side queries for staff pages and the API."""

from __future__ import annotations

from django.db.models import Prefetch

from staff.access import hall_ids_for_user, user_can
from staff.models import HallAssignment, StaffProfile


def staff_visible_to(user):
    """Profiles ``user`` may list: people assigned to a hall where ``user`` holds ``staff.view``.

    HQ (every hall) also sees regional staff, who belong to no hall."""
    from halls.models import Hall

    qs = StaffProfile.objects.select_related("user").prefetch_related(
        Prefetch("user__hall_assignments", queryset=HallAssignment.objects.select_related("hall"))
    )
    if hall_ids_for_user(user) is None:
        return qs if user_can(user, "staff.view") else qs.none()
    allowed = [
        h for h in Hall.objects.for_user(user).values_list("pk", flat=True) if user_can(user, "staff.view", h)
    ]
    return qs.filter(user__hall_assignments__hall_id__in=allowed).distinct()
