"""KPI source "environment" (ENV-4, ENV-2.1) for the kpi app: cleaning rounds and maintenance checks done on
time ÷ due, per local day and hall (no clerk: the hall's environment is a team duty). A day with nothing due gives
no row at all, so it can never read as 100 %. Plain dicts; this module does not import the kpi app."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext_lazy as _

from facilities.models import CleaningRound, Occurrence
from facilities.selectors import compliance_items

LABELS = {"environment": _("环境与设施（清洁与维护按时完成率）")}


def parts(*, day_from: date, day_to: date) -> Iterable[dict]:
    sums: dict[tuple[date, int], list[int]] = {}
    for _kind, day, hall_id, on_time, _rec in compliance_items(
        hall_ids=None, day_from=day_from, day_to=day_to
    ):
        row = sums.setdefault((day, hall_id), [0, 0])
        row[0] += int(on_time)
        row[1] += 1
    for (day, hall_id), (num, den) in sorted(sums.items()):
        yield {
            "kpi": "compliance",
            "source": "environment",
            "day": day,
            "hall_id": hall_id,
            "clerk_id": None,
            "business_type_id": None,
            "numerator": num,
            "denominator": den,
        }


def _note(rec, on_time: bool) -> str:
    if on_time:
        return ""
    done = rec.done_at if isinstance(rec, CleaningRound) else rec.completed_at
    return str(_("逾期完成")) if done else str(_("未按时完成"))


def rows(
    *, source: str, day_from: date, day_to: date, hall_ids: list[int], clerk_id: int | None = None
) -> list[dict]:
    if source != "environment" or clerk_id is not None:
        return []
    out = []
    for _kind, _day, _hall, on_time, rec in compliance_items(
        hall_ids=hall_ids, day_from=day_from, day_to=day_to
    ):
        if isinstance(rec, Occurrence):
            label = f"{rec.plan.title} · {rec.facility.asset_code}"
            url = rec.get_absolute_url()
        else:
            label = str(rec.get_kind_display()) + (f" {rec.seq}" if rec.kind == "patrol" else "")
            url = None
        out.append(
            {
                "at": rec.window_end,
                "label": label,
                "numerator": int(on_time),
                "denominator": 1,
                "note": _note(rec, on_time),
                "url": url,
            }
        )
    out.sort(key=lambda r: r["at"])
    return out
