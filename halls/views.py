"""Hall pages: the halls a user may see and one hall's layout (ENV-1), counters, hours and complaint channels
(CMP-1)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.holidays import missing_next_year, official_year_set, parse_days
from halls.models import Counter, DayKind, Hall, OfficialYear, Zone
from lib.errors import ServiceError
from staff.access import require

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


def _days_text(record, kind) -> str:
    if record is None:
        return ""
    return "\n".join(f"{d.day.isoformat()} {d.name}".strip() for d in record.days.filter(kind=kind))


@login_required
def holiday_years(request):
    """HQ: the official holiday arrangement per year, and the warning while next year is missing (December)."""
    require(request.user, "standard.publish")
    years = OfficialYear.objects.annotate(
        holidays=Count("days", filter=Q(days__kind=DayKind.HOLIDAY)),
        workdays=Count("days", filter=Q(days__kind=DayKind.WORKDAY)),
    ).select_related("confirmed_by")
    today = timezone.localdate()
    return render(
        request,
        "halls/holiday_years.html",
        {"years": years, "missing": missing_next_year(), "next_year": today.year + 1},
    )


@login_required
def holiday_year_edit(request, year: int):
    require(request.user, "standard.publish")
    record = OfficialYear.objects.filter(year=year).first()
    form = {
        "holidays": _days_text(record, DayKind.HOLIDAY),
        "workdays": _days_text(record, DayKind.WORKDAY),
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {"holidays": request.POST.get("holidays", ""), "workdays": request.POST.get("workdays", "")}
        try:
            official_year_set(
                year=year,
                holidays=parse_days(form["holidays"], year=year, field="holidays"),
                workdays=parse_days(form["workdays"], year=year, field="workdays"),
                user=request.user,
            )
        except ServiceError as exc:
            errors[exc.field or "holidays"] = str(exc.message)
        else:
            messages.success(request, _("已保存%(year)d年节假日安排") % {"year": year})
            return redirect("halls:holidays")
    return render(
        request,
        "halls/holiday_year_edit.html",
        {"year": year, "record": record, "form": form, "errors": errors},
        status=400 if errors else 200,
    )
