"""KPI sources (contract in the brief, §Cross-helper 1): service-standard compliance (SUP-2) from self-inspections,
accepted mystery-shopper visits and pre-shift appearance checks — Σ score ÷ Σ max over answered non-N/A items.

A self-inspection whose critical item failed still contributes its points (the contract's arithmetic); its row says
so in ``note`` and the run's own outcome is "不合格". Plain dicts, no import of the kpi app.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from inspections.models import AppearanceCheck, Inspection, RunStatus, Visit, VisitStatus
from inspections.services import local_day, local_midnight

LABELS = {
    "self_inspection": _("服务自查"),
    "mystery_visit": _("神秘顾客暗访"),
    "appearance_check": _("班前会仪容仪表检查"),
}


def _bounds(day_from: date, day_to: date):
    return local_midnight(day_from), local_midnight(day_to + timedelta(days=1))


def _inspections(day_from, day_to, hall_ids=None):
    start, end = _bounds(day_from, day_to)
    qs = Inspection.objects.filter(status=RunStatus.SUBMITTED, submitted_at__gte=start, submitted_at__lt=end)
    return qs.filter(hall_id__in=hall_ids) if hall_ids is not None else qs


def _visits(day_from, day_to, hall_ids=None):
    start, end = _bounds(day_from, day_to)
    qs = Visit.objects.filter(status=VisitStatus.ACCEPTED, arrived_at__gte=start, arrived_at__lt=end)
    return qs.filter(hall_id__in=hall_ids) if hall_ids is not None else qs


def _checks(day_from, day_to, hall_ids=None):
    qs = AppearanceCheck.objects.filter(day__gte=day_from, day__lte=day_to)
    return qs.filter(hall_id__in=hall_ids) if hall_ids is not None else qs


def parts(*, day_from: date, day_to: date) -> Iterable[dict]:
    sums: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for run in _inspections(day_from, day_to).only("hall_id", "submitted_at", "score_num", "score_den"):
        if run.score_den:
            key = ("self_inspection", local_day(run.submitted_at), run.hall_id, None)
            sums[key][0] += run.score_num
            sums[key][1] += run.score_den
    for visit in _visits(day_from, day_to).only(
        "hall_id", "arrived_at", "matched_clerk_id", "score_num", "score_den"
    ):
        if visit.score_den:
            key = ("mystery_visit", local_day(visit.arrived_at), visit.hall_id, visit.matched_clerk_id)
            sums[key][0] += visit.score_num
            sums[key][1] += visit.score_den
    for check in _checks(day_from, day_to).only("hall_id", "day", "clerk_id", "passed_count", "item_count"):
        if check.item_count:
            key = ("appearance_check", check.day, check.hall_id, check.clerk_id)
            sums[key][0] += check.passed_count
            sums[key][1] += check.item_count
    for (source, day, hall_id, clerk_id), (num, den) in sorted(
        sums.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])
    ):
        yield {
            "kpi": "compliance",
            "source": source,
            "day": day,
            "hall_id": hall_id,
            "clerk_id": clerk_id,
            "business_type_id": None,
            "numerator": num,
            "denominator": den,
        }


def rows(
    *, source: str, day_from: date, day_to: date, hall_ids: list[int], clerk_id: int | None = None
) -> list[dict]:
    if source not in LABELS:
        raise ValueError(f"unknown source {source!r}")
    out = []
    if source == "self_inspection":
        if clerk_id is not None:
            return []  # a self-inspection scores the hall, not a clerk
        for run in _inspections(day_from, day_to, hall_ids).select_related("hall").order_by("submitted_at"):
            out.append(
                {
                    "at": run.submitted_at,
                    "label": f"{run.hall.name} {run.week_start:%Y-%m-%d}",
                    "numerator": run.score_num,
                    "denominator": run.score_den,
                    "note": str(_("关键项未通过"))
                    if run.failed_critical
                    else ("" if run.score_den else str(_("无有效评分项"))),
                    "url": reverse("inspections:inspection", args=[run.pk]),
                }
            )
    elif source == "mystery_visit":
        qs = _visits(day_from, day_to, hall_ids).select_related("hall").order_by("arrived_at")
        if clerk_id is not None:
            qs = qs.filter(matched_clerk_id=clerk_id)
        for visit in qs:
            out.append(
                {
                    "at": visit.arrived_at,
                    "label": f"{visit.hall.name} {LABELS['mystery_visit']}",
                    "numerator": visit.score_num,
                    "denominator": visit.score_den,
                    "note": "" if visit.score_den else str(_("无有效评分项")),
                    "url": reverse("inspections:visit", args=[visit.pk]),
                }
            )
    else:
        qs = _checks(day_from, day_to, hall_ids).select_related("hall").order_by("at")
        if clerk_id is not None:
            qs = qs.filter(clerk_id=clerk_id)
        for check in qs:
            out.append(
                {
                    "at": check.at,
                    "label": f"{check.hall.name} {check.day:%Y-%m-%d}",
                    "numerator": check.passed_count,
                    "denominator": check.item_count,
                    "note": "",
                    "url": None,
                }
            )
    return out
