"""Who in a hall can do something (issue 10 §2: a clerk or greeter sees who answers a consultation, a supervisor
sees who closes a complaint next). Names only — never contact details."""

from __future__ import annotations

from django.utils import timezone

from staff.access import ROLE_CAPABILITIES
from staff.models import DutyShift, HallAssignment


def person_name(user) -> str:
    """How a staff member is named to other staff (a report, a ranking): the badge name, else the login name."""
    profile = getattr(user, "staff_profile", None)
    return (profile.full_name if profile is not None and profile.full_name else "") or user.get_username()


def people_who_can(*, hall, capability: str, limit: int = 6) -> list[dict]:
    """``[{"name", "role", "on_duty"}]``: the duty supervisor on shift now first, then by role and name."""
    hall_id = getattr(hall, "pk", hall)
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
    now = timezone.now()
    on_duty = set(
        DutyShift.objects.filter(hall_id=hall_id, starts_at__lte=now, ends_at__gt=now).values_list(
            "user_id", flat=True
        )
    )
    rows = {}
    assignments = (
        HallAssignment.objects.filter(hall_id=hall_id, role__in=roles, user__is_active=True)
        .select_related("user__staff_profile")
        .order_by("role", "user_id")
    )
    for a in assignments:
        profile = getattr(a.user, "staff_profile", None)
        name = profile.full_name if profile else a.user.get_username()
        rows.setdefault(
            a.user_id, {"name": name, "role": a.get_role_display(), "on_duty": a.user_id in on_duty}
        )
    people = sorted(rows.values(), key=lambda r: (not r["on_duty"], str(r["role"]), r["name"]))
    return people[:limit]


def role_labels_for(capability: str) -> list[str]:
    from staff.models import HallRole

    return [
        str(HallRole(role).label)
        for role, caps in ROLE_CAPABILITIES.items()
        if capability in caps and role in HallRole.values
    ]
