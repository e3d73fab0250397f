from __future__ import annotations


def staff_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from staff.access import roles_for

    profile = getattr(user, "staff_profile", None)
    return {"staff_profile": profile, "user_roles": roles_for(user)}
