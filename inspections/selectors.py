"""Read-side helpers shared by pages, API and the PDF."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.utils import timezone

from inspections.models import (
    ConductFinding,
    Inspection,
    Rectification,
    RectificationSource,
    RectificationStatus,
    Section,
)


def report_data(run: Inspection) -> dict:
    """The 《服务自查报告》 content: sections with scores, findings (with photos) and the rectification list."""
    labels = dict(Section.choices)
    answers = {a.item_code: a for a in run.answers.select_related("cited_clerk__staff_profile")}
    sections = []
    for item in run.snapshot:
        if not sections or sections[-1]["code"] != item["section"]:
            scores = (run.section_scores or {}).get(item["section"], {})
            den = scores.get("den") or 0
            sections.append(
                {
                    "code": item["section"],
                    "label": labels.get(item["section"], item["section"]),
                    "pct": round(100 * scores.get("num", 0) / den, 1) if den else None,
                    "rows": [],
                }
            )
        sections[-1]["rows"].append({"item": item, "answer": answers.get(item["code"])})
    findings = [
        {"item": row["item"], "answer": row["answer"]}
        for section in sections
        for row in section["rows"]
        if row["answer"] is not None and row["answer"].result == "fail"
    ]
    rects = list(run.rectifications.select_related("owner__staff_profile").order_by("deadline"))
    return {"sections": sections, "findings": findings, "rectifications": rects}


def person(user) -> str:
    """Staff name and employee number as the badge shows them (falls back to the login)."""
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None)
    if profile is not None and getattr(profile, "full_name", ""):
        return (
            f"{profile.full_name}({profile.employee_number})"
            if profile.employee_number
            else profile.full_name
        )
    return user.get_username()


def month_findings(*, user, hall_ids: list[int], start: datetime, end: datetime, now: datetime | None = None):
    """The review pack's findings (SUP-3): the rectification items raised by self-inspections and mystery visits in
    [start, end) with their status now, those of earlier months still not verified, and the conduct findings
    counted by source. Scoped to the viewer; a visit's items exist only once its report was accepted."""
    now = now or timezone.now()
    rects = Rectification.objects.for_user(user).filter(hall_id__in=hall_ids)
    raised = list(
        rects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("hall", "owner__staff_profile")
        .order_by("source", "status", "deadline", "pk")
    )
    carried = rects.filter(created_at__lt=start).exclude(status=RectificationStatus.VERIFIED).count()
    by_source: dict[str, Counter] = {s: Counter() for s in RectificationSource.values}
    for r in raised:
        by_source[r.source][r.status] += 1
        r.overdue = r.is_overdue(now)
    findings = Counter(
        ConductFinding.objects.for_user(user)
        .filter(hall_id__in=hall_ids, at__gte=start, at__lt=end)
        .values_list("source", flat=True)
    )
    return {
        "rectifications": raised,
        "carried_over": carried,
        "by_source": [
            {
                "source": s,
                "label": label,
                "total": sum(by_source[s].values()),
                "statuses": [
                    {"status": st, "label": st_label, "count": by_source[s][st]}
                    for st, st_label in RectificationStatus.choices
                ],
            }
            for s, label in RectificationSource.choices
        ],
        "conduct_findings": dict(findings),
        "overdue": sum(1 for r in raised if r.overdue),
    }
