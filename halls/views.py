"""Hall pages: the halls a user may see and one hall's layout (ENV-1), counters, hours and complaint channels
(CMP-1)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from halls.models import Counter, Hall, Zone
from staff.web import access_errors

WEEKDAYS = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]


@login_required
def hall_list(request):
    halls = (
        Hall.objects.for_user(request.user)
        .select_related("region")
        .annotate(counter_count=Count("counters", distinct=True))
        .order_by("code")
    )
    return render(request, "halls/hall_list.html", {"halls": halls})


@login_required
@access_errors
def hall_detail(request, pk: int):
    hall = get_object_or_404(Hall.objects.for_user(request.user).select_related("region"), pk=pk)
    zones = Zone.objects.for_user(request.user).filter(hall=hall).order_by("kind", "name")
    counters = (
        Counter.objects.for_user(request.user)
        .filter(hall=hall)
        .select_related("zone")
        .prefetch_related(Prefetch("business_types"))
        .order_by("number")
    )
    hours = [{"day": WEEKDAYS[d], "intervals": hall.hours_for_weekday(d)} for d in range(7)]
    return render(
        request,
        "halls/hall_detail.html",
        {"hall": hall, "zones": zones, "counters": counters, "hours": hours},
    )
