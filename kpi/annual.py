"""The annual revision (SUP-3): the review pack for a year — the year's KPIs pooled and month by month, and the
service-standard versions in force during the year with what changed between each and the next
(``standard.services.standard_compare``, the standard app's own diff)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpi.definitions import JUDGED, KPIS, SHANGHAI, local_day
from kpi.selectors import Scope, figures_from, standard_for_month, sums, trend
from lib.errors import ServiceError
from standard.models import StandardVersion
from standard.services import standard_compare

FIRST_YEAR = 2000


def read_year(value: str | None, *, now: datetime | None = None) -> int:
    """ "2026" → 2026; the current year by default; not a year, before 2000 or in the future is a 4xx."""
    current = local_day(now or timezone.now()).year
    if value in (None, ""):
        return current
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ServiceError("invalid_year", _("年份格式应为 YYYY"), field="year") from None
    if year < FIRST_YEAR or year > current:
        raise ServiceError("invalid_year", _("年份不正确"), field="year")
    return year


def versions_in_force(year: int) -> list[dict]:
    """Each version in force at some instant of the year (local calendar year), with its span inside the year and
    the parameters that changed from the version before it."""
    start = datetime.combine(date(year, 1, 1), time.min, tzinfo=SHANGHAI)
    end = datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=SHANGHAI)
    ordered = list(StandardVersion.objects.order_by("effective_from").prefetch_related("parameters"))
    out = []
    for i, v in enumerate(ordered):
        until = ordered[i + 1].effective_from if i + 1 < len(ordered) else None
        if v.effective_from >= end or (until is not None and until <= start):
            continue
        previous = ordered[i - 1] if i else None
        out.append(
            {
                "version": v,
                "from": max(v.effective_from, start).astimezone(SHANGHAI).date(),
                "until": (min(until, end) if until else end).astimezone(SHANGHAI).date() - timedelta(days=1),
                "previous": previous,
                "changes": [r for r in standard_compare(left=previous, right=v) if r["changed"]]
                if previous
                else [],
            }
        )
    return out


def annual_pack(scope: Scope, year: int, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    today = local_day(now)
    last_month = min(date(year, 12, 1), today.replace(day=1))
    months = last_month.month  # January … the last month of the year that has begun
    series = trend(scope, last_month, months, now=now)
    for t in series:
        t["cells"] = [t["figures"][c] for c in JUDGED]
    # The year pooled (Σ B ÷ Σ A over its rollups), judged by the standard in force at its last month's end.
    if scope.clerk_id is None:
        rows = scope.month_rollups(date(year, 1, 1), last_month)
    else:
        rows = scope.rollups(date(year, 1, 1), min(date(year, 12, 31), today))
    bucket = sums(rows).get((), {})
    figures = figures_from(bucket, standard_for_month(last_month, now))
    return {
        "scope": scope,
        "year": year,
        "figures": figures,
        "trend": series,
        "judged": [KPIS[c] for c in JUDGED],
        "versions": versions_in_force(year),
        "generated_at": now,
    }
