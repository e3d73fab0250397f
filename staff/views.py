"""Staff pages: the list for managers and inspectors, and the printable badge (STF-1)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from staff.access import require
from staff.models import StaffProfile
from staff.selectors import staff_visible_to


@login_required
def staff_list(request):
    require(request.user, "staff.view")
    profiles = staff_visible_to(request.user).order_by("employee_number")
    return render(request, "staff/staff_list.html", {"profiles": profiles})


@login_required
def badge(request, pk: int):
    """STF-1: name, post, employee number and hall. Anyone may print their own badge; managers any in scope."""
    own = StaffProfile.objects.filter(pk=pk, user=request.user).select_related("user").first()
    profile = own or staff_visible_to(request.user).filter(pk=pk).first()
    if profile is None:
        raise Http404
    halls = [a.hall for a in profile.user.hall_assignments.select_related("hall")]
    halls = list({h.pk: h for h in halls}.values())
    return render(request, "staff/badge.html", {"profile": profile, "halls": halls})
