"""Read-side helpers shared by pages, API and the PDF."""

from __future__ import annotations

from inspections.models import Inspection, Section


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
