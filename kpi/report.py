"""The monthly review pack (SUP-3) for a hall or a region, the previous month by default: KPIs against targets with
12-month trends, best and weakest clerks, complaint hot spots (``complaints.analysis``), the flags raised, the
service analysis meetings and the improvement plan with the movement of the KPI each item targets, and the sections
from other apps (``kpi.pack_sections``: low-score reasons, findings, environment and devices, highlights and
problems). Sections whose
source is not installed say so ("no data"), never a zero."""

from __future__ import annotations

from datetime import date, datetime

from django.apps import apps
from django.utils import timezone

from kpi import pack_sections, registry
from kpi.definitions import JUDGED, KPIS, local_day
from kpi.models import Flag, Meeting, PlanItem
from kpi.selectors import Scope, clerk_figures, month_figures, recent_figures, score
from lib.months import add_months

TOP_CLERKS = 3


def review_pack(scope: Scope, month: date, *, user, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    figures, previous, series = recent_figures(scope, month, 12, now=now)
    clerks = clerk_figures(scope, month, now=now)
    ranked = [(score(c["figures"]), c) for c in clerks]
    ranked = sorted([r for r in ranked if r[0] is not None], key=lambda r: (-r[0], r[1]["name"]))
    best = [c for _s, c in ranked[:TOP_CLERKS]]
    weakest = [c for _s, c in reversed(ranked[-TOP_CLERKS:])] if len(ranked) > TOP_CLERKS else []
    hall_ids = scope.drill_hall_ids()
    flags = list(
        Flag.objects.for_user(user, "kpi.view")
        .filter(month=month, hall_id__in=hall_ids)
        .select_related("hall", "clerk__staff_profile")
    )
    meetings = list(Meeting.objects.for_user(user, "kpi.view").filter(hall_id__in=hall_ids, month=month))
    # Items from last month's meetings are shown again with the KPI's movement since.
    items = list(
        PlanItem.objects.for_user(user, "kpi.view")
        .filter(hall_id__in=hall_ids, meeting__month__in=[month, add_months(month, -1)])
        .select_related("owner", "meeting")
    )
    for item in items:
        before = previous.get(item.kpi) if item.meeting.month == month else None
        item.kpi_now = figures.get(item.kpi)
        item.kpi_before = before or month_figures(scope, item.meeting.month, now=now).get(item.kpi)
    hotspots = None
    if apps.is_installed("complaints"):
        from complaints.analysis import monthly_hotspots
        from complaints.models import Complaint

        hotspots = monthly_hotspots(
            queryset=Complaint.objects.for_user(user).filter(hall_id__in=hall_ids), month=month
        )
    found = pack_sections.findings(user=user, hall_ids=hall_ids, month=month, now=now)
    return {
        "reasons": pack_sections.low_score_reasons(user=user, hall_ids=hall_ids, month=month),
        "findings": found,
        "environment": pack_sections.environment(hall_ids=hall_ids, month=month, now=now),
        "highlights": pack_sections.highlights_problems(
            figures=figures, previous=previous, flags=flags, meetings=meetings, found=found
        ),
        "scope": scope,
        "month": month,
        "generated_at": now,
        "is_complete": local_day(now) > month.replace(day=28) and add_months(month, 1) <= local_day(now),
        "figures": figures,
        "previous": previous,
        "trend": series,
        "judged": [KPIS[c] for c in JUDGED],
        "clerks": clerks,
        "best": best,
        "weakest": weakest,
        "flags": flags,
        "meetings": meetings,
        "items": items,
        "hotspots": hotspots,
        "sources": {code: str(label) for code, label in registry.labels().items()},
    }


def chart_data(pack: dict) -> dict:
    """The 12-month series for ECharts (and the PDF bars): months, values (None = no data), target."""
    out = {"months": [f"{t['month']:%Y-%m}" for t in pack["trend"]], "series": {}}
    for code in JUDGED:
        vals = [
            None if t["figures"][code].pct is None else round(t["figures"][code].pct, 2)
            for t in pack["trend"]
        ]
        out["series"][code] = {
            "label": str(KPIS[code].label),
            "values": vals,
            "target": pack["figures"][code].target,
        }
    return out
