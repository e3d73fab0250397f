"""The review pack's sections that come from other apps (SUP-3): low-score evaluation reasons, inspection and
mystery-shopper findings with their rectification status, environment compliance and device availability, and the
month's highlights and problems. Each reads what its app offers (``evaluations.report``, ``inspections.selectors``,
``facilities.selectors``); a section whose app is absent or had nothing that month is None and reads "暂无数据" —
never 0 % or 100 %."""

from __future__ import annotations

from datetime import date, datetime

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from halls.models import Hall
from kpi.definitions import JUDGED, KPIS, local_day, month_end
from lib.months import month_bounds

# The heading of the pack's problems (page, PDF, Excel): 问题 without a context is an inspection's "Finding"
# (inspections' catalogue comes before kpi's), not what went wrong this month.
PROBLEMS = pgettext_lazy("review pack", "问题")

WORST_DEVICES = 10


def low_score_reasons(*, user, hall_ids: list[int], month: date) -> dict | None:
    """The reasons customers gave with their valid evaluations below 满意， most frequent first."""
    if not apps.is_installed("evaluations"):
        return None
    from evaluations.models import Level
    from evaluations.report import reasons_ranked, scoped

    start, end = month_bounds(month)
    evs, _invs = scoped(user)
    evs = evs.filter(hall_id__in=hall_ids, submitted_at__gte=start, submitted_at__lt=end)
    low = evs.valid().filter(level__lt=Level.SATISFIED).count()
    if not low:
        return None
    return {"low": low, "reasons": reasons_ranked(evs)}


def findings(*, user, hall_ids: list[int], month: date, now: datetime) -> dict | None:
    if not apps.is_installed("inspections"):
        return None
    from inspections.selectors import month_findings

    start, end = month_bounds(month)
    data = month_findings(user=user, hall_ids=hall_ids, start=start, end=end, now=now)
    if not data["rectifications"] and not data["carried_over"] and not data["conduct_findings"]:
        return None
    return data


def environment(*, hall_ids: list[int], month: date, now: datetime) -> dict | None:
    """Rounds and checks done on time ÷ due (facilities' ``compliance``, pooled over the halls) and each device's
    availability (facilities' ``availability``). Nothing due / no device: that part is None."""
    if not apps.is_installed("facilities"):
        return None
    from facilities.selectors import availability, compliance

    day_to = min(month_end(month), local_day(now))
    if day_to < month:
        return None
    halls = list(Hall.objects.filter(pk__in=hall_ids).order_by("code"))
    on_time = due = 0
    devices = []
    for hall in halls:
        c = compliance(hall=hall, day_from=month, day_to=day_to, now=now)
        on_time, due = on_time + c["on_time"], due + c["due"]
        for row in availability(hall=hall, year=month.year, month=month.month, now=now):
            if row["availability_pct"] is not None:
                devices.append({**row, "hall": hall})
    if not due and not devices:
        return None
    # Every device is measured over the same span of the month, so the mean of availabilities is Σ up ÷ Σ span.
    pooled = sum(d["availability"] for d in devices) / len(devices) if devices else None
    devices.sort(key=lambda d: (d["availability"], d["hall"].code, d["facility"].pk))
    return {
        "on_time": on_time,
        "due": due,
        "compliance_pct": round(100 * on_time / due, 2) if due else None,
        "devices": len(devices),
        "availability_pct": None if pooled is None else round(100 * pooled, 2),
        "worst": [d for d in devices if d["availability"] < 1][:WORST_DEVICES],
    }


def highlights_problems(*, figures: dict, previous: dict, flags, meetings, found: dict | None) -> dict:
    """What went well and what did not: KPIs met / below target (with last month's movement), the flags raised,
    overdue rectifications, and what the analysis meeting recorded."""
    highlights, problems = [], []
    for code in JUDGED:
        fig, prev = figures[code], previous[code]
        if fig.met is None:
            continue
        move = "" if prev.pct is None else _("（较上月 %(d)+.2f 个百分点）") % {"d": fig.pct - prev.pct}
        text = _("%(kpi)s %(pct).2f%%，目标 %(target)g%%") % {
            "kpi": KPIS[code].label,
            "pct": fig.pct,
            "target": fig.target,
        }
        (highlights if fig.met else problems).append(text + move)
    if flags:
        problems.append(_("连续三个月未达标 %(n)s 项") % {"n": len(flags)})
    if found and found["overdue"]:
        problems.append(_("整改逾期 %(n)s 项") % {"n": found["overdue"]})
    recorded = [
        {"held_on": m.held_on, "highlights": m.highlights, "problems": m.problems}
        for m in meetings
        if m.highlights or m.problems
    ]
    return {"highlights": highlights, "problems": problems, "recorded": recorded}
