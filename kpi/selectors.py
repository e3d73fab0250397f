"""Figures from the rollups (never from raw events): a scope (halls, a region, the chain, a clerk) and a period give
Σ numerator and Σ denominator per KPI and source, then ``definitions.figure`` judges them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import Hall, Region
from kpi.definitions import JUDGED, KPIS, Figure, Part, day_bounds, figure, local_day, month_end
from kpi.models import DailyRollup, MonthRollup
from lib.errors import Forbidden, NotFound, ServiceError
from lib.memo import Memo
from lib.months import add_months
from staff.access import hall_ids_with, user_can
from staff.directory import person_name
from standard.models import StandardVersion
from standard.services import Standard, standard_in_force

VIEW = "kpi.view"
OWN = "kpi.own"


def standard_for_month(month: date, now: datetime | None = None):
    """The standard in force at the month's end (or now, for the current month). A month before the first version
    is judged by the first version (it has no data anyway: nothing is measured without a standard)."""
    now = now or timezone.now()
    _start, end = day_bounds(month_end(month))
    at = min(now, end)
    return _standard_memo.get((month, at if at < now else None), lambda: _standard_at(at))


# A page shows up to 15 months; each month's standard is one query with its parameters. Memoised for a few seconds
# per process (lib.memo: forgotten when a version is published here; other processes see it within the TTL, and
# it only applies from its effective date).
_standard_memo = Memo(
    "kpi.standard", ttl=5.0, maxsize=256, models=("standard.StandardVersion", "standard.StandardParameter")
)


def _standard_at(at: datetime):
    try:
        return standard_in_force(at=at)
    except NotFound:
        first = StandardVersion.objects.order_by("effective_from").prefetch_related("parameters").first()
        if first is None:
            raise
        return Standard(first, first.values())


def sums(qs, *group) -> dict[tuple, dict[tuple[str, str], list[float]]]:
    """{group key: {(kpi, source): [num, den, pending]}} for a rollup queryset."""
    out: dict[tuple, dict] = defaultdict(dict)
    for row in (
        qs.values(*group, "kpi", "source")
        .annotate(num=Sum("numerator"), den=Sum("denominator"), pend=Sum("pending"))
        .order_by()
    ):
        key = tuple(row[g] for g in group)
        out[key][(row["kpi"], row["source"])] = [row["num"] or 0, row["den"] or 0, row["pend"] or 0]
    return out


def figure_for(
    code: str, numerator: float, denominator: float, *, month: date, source: str, now: datetime | None = None
) -> Figure:
    """One KPI figure from sums another page already counted (the evaluations report's satisfaction), judged by the
    month's standard exactly as the KPI pages judge it: the same target, minimum sample and Wilson interval."""
    return figure(code, [Part(source, numerator, denominator)], standard_for_month(month, now))


def figures_from(bucket: dict, std, kpis=None) -> dict[str, Figure]:
    result = {}
    for code in kpis or KPIS:
        parts = [Part(source, v[0], v[1], v[2]) for (kpi, source), v in sorted(bucket.items()) if kpi == code]
        result[code] = figure(code, parts, std)
    return result


# --- scopes ------------------------------------------------------------------------------------------------------
class Scope:
    """What a viewer asked for, checked against what they may see: kind in hall / region / chain / clerk."""

    def __init__(
        self, kind: str, *, hall_ids: list[int] | None, clerk_id: int | None = None, label="", hall_code=""
    ):
        self.kind = kind
        self.hall_ids = hall_ids  # None: every hall (the chain)
        self.clerk_id = clerk_id
        self.label = label
        self.hall_code = hall_code  # a hall scope's code, for the pages' links

    def rollups(self, day_from: date, day_to: date):
        qs = DailyRollup.objects.filter(day__gte=day_from, day__lte=day_to)
        if self.hall_ids is not None:
            qs = qs.filter(hall_id__in=self.hall_ids)
        if self.clerk_id is not None:
            qs = qs.filter(clerk_id=self.clerk_id)
        return qs

    def month_rollups(self, month_from: date, month_to: date):
        """The monthly sums for a scope without a clerk (hall, halls, region, chain)."""
        qs = MonthRollup.objects.filter(month__gte=month_from, month__lte=month_to)
        if self.hall_ids is not None:
            qs = qs.filter(hall_id__in=self.hall_ids)
        return qs

    def drill_hall_ids(self) -> list[int]:
        if self.hall_ids is None:
            return list(Hall.objects.values_list("pk", flat=True))
        return list(self.hall_ids)


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ServiceError("invalid_filter", _("筛选条件不正确"), field=field) from None


def resolve_scope(
    user, *, hall: str | None = None, region: str | None = None, clerk: str | None = None
) -> Scope:
    """hall/region are codes, clerk a user id. Unknown values are a 4xx; another hall is a 404; a clerk sees only
    themselves."""
    allowed = hall_ids_with(user, VIEW)
    if clerk not in (None, ""):
        clerk_id = _int(clerk, "clerk")
        if clerk_id == user.pk and user_can(user, OWN):
            own_halls = hall_ids_with(user, OWN)
            return Scope(
                "clerk",
                hall_ids=None if own_halls is None else sorted(own_halls),
                clerk_id=clerk_id,
                label=person_name(user),
            )
        if allowed is not None and not allowed:
            raise Forbidden("forbidden", _("您没有执行此操作的权限"))
        from django.contrib.auth import get_user_model

        target = get_user_model().objects.filter(pk=clerk_id).first()
        if target is None or (
            allowed is not None and not target.hall_assignments.filter(hall_id__in=allowed).exists()
        ):  # someone outside the viewer's halls does not exist for them
            raise NotFound("unknown_clerk", _("员工不存在"), field="clerk")
        halls = None if allowed is None else sorted(allowed)
        if hall not in (None, ""):
            halls = [_hall(user, hall, allowed).pk]
        return Scope("clerk", hall_ids=halls, clerk_id=clerk_id, label=person_name(target))
    if hall not in (None, ""):
        h = _hall(user, hall, allowed)
        return Scope("hall", hall_ids=[h.pk], label=h.name, hall_code=h.code)
    if region not in (None, ""):
        reg = Region.objects.filter(code=region).first()
        if reg is None:
            raise NotFound("unknown_region", _("区域不存在"), field="region")
        ids = set(Hall.objects.filter(region_id__in=reg.descendant_ids()).values_list("pk", flat=True))
        if allowed is not None:
            if not ids & allowed:
                raise NotFound("unknown_region", _("区域不存在"), field="region")
            if not ids <= allowed:
                raise Forbidden("forbidden", _("您没有执行此操作的权限"))
        return Scope("region", hall_ids=sorted(ids), label=reg.name)
    if allowed is None:
        return Scope("chain", hall_ids=None, label=_("全网"))
    if not allowed:
        if user_can(user, OWN):
            return resolve_scope(user, clerk=str(user.pk))
        raise Forbidden("forbidden", _("您没有执行此操作的权限"))
    if len(allowed) == 1:
        h = Hall.objects.get(pk=next(iter(allowed)))
        return Scope("hall", hall_ids=[h.pk], label=h.name, hall_code=h.code)
    return Scope("halls", hall_ids=sorted(allowed), label=_("我的营业厅"))


def _hall(user, code: str, allowed) -> Hall:
    h = Hall.objects.filter(code=code).first()
    if h is None or (allowed is not None and h.pk not in allowed):
        raise NotFound("unknown_hall", _("营业厅不存在或无权查看"), field="hall")
    return h


# --- figures -----------------------------------------------------------------------------------------------------
def month_figures(scope: Scope, month: date, *, now: datetime | None = None) -> dict[str, Figure]:
    now = now or timezone.now()
    if scope.clerk_id is None:
        bucket = sums(scope.month_rollups(month, month)).get((), {})
    else:
        day_to = min(month_end(month), local_day(now))
        bucket = sums(scope.rollups(month, day_to)).get((), {})
    return figures_from(bucket, standard_for_month(month, now))


def trend(scope: Scope, last_month: date, months: int = 12, *, now: datetime | None = None) -> list[dict]:
    """Monthly figures for ``months`` months ending with ``last_month`` (one query, grouped by month in Python)."""
    first = add_months(last_month, -(months - 1))
    if scope.clerk_id is None:
        by_day = sums(scope.month_rollups(first, last_month), "month")
    else:
        by_day = sums(scope.rollups(first, month_end(last_month)), "day")
    per_month: dict[date, dict] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0.0]))
    for (day,), bucket in by_day.items():
        acc = per_month[day.replace(day=1)]
        for key, v in bucket.items():
            for i in range(3):
                acc[key][i] += v[i]
    out = []
    for i in range(months):
        m = add_months(first, i)
        figs = figures_from(per_month.get(m, {}), standard_for_month(m, now))
        out.append({"month": m, "figures": figs})
    return out


def recent_figures(scope: Scope, month: date, months: int = 12, *, now: datetime | None = None):
    """The month's figures, the month before's and the ``months``-month trend ending with the month. Without a
    clerk the three come from the one trend query over the month rollups (each month's bucket is that month's
    Σ, exactly what ``month_figures`` sums); a clerk's figures read their daily rows as ``month_figures`` does."""
    series = trend(scope, month, max(2, months), now=now)
    if scope.clerk_id is None:
        figures, previous = series[-1]["figures"], series[-2]["figures"]
    else:
        figures = month_figures(scope, month, now=now)
        previous = month_figures(scope, add_months(month, -1), now=now)
    return figures, previous, series[-months:]


def clerk_figures(scope: Scope, month: date, *, now: datetime | None = None) -> list[dict]:
    """Per clerk in the scope: the figures of the month (rows without a clerk stay in the hall's figure only)."""
    from django.contrib.auth import get_user_model

    std = standard_for_month(month, now)
    grouped = sums(scope.rollups(month, month_end(month)).filter(clerk__isnull=False), "clerk_id", "hall_id")
    users = {
        u.pk: u
        for u in get_user_model()
        .objects.filter(pk__in={k[0] for k in grouped})
        .select_related("staff_profile")
    }
    halls = {h.pk: h for h in Hall.objects.filter(pk__in={k[1] for k in grouped})}
    out = []
    for (clerk_id, hall_id), bucket in sorted(grouped.items()):
        u = users[clerk_id]
        out.append(
            {
                "clerk": u,
                "clerk_id": clerk_id,
                "name": person_name(u),
                "hall": halls[hall_id],
                "figures": figures_from(bucket, std),
            }
        )
    return out


def hall_figures(scope: Scope, month: date, *, now: datetime | None = None) -> list[dict]:
    std = standard_for_month(month, now)
    grouped = sums(scope.rollups(month, month_end(month)), "hall_id")
    halls = {h.pk: h for h in Hall.objects.filter(pk__in={k[0] for k in grouped})}
    return [
        {"hall": halls[hall_id], "figures": figures_from(bucket, std)}
        for (hall_id,), bucket in sorted(grouped.items())
    ]


def score(figs: dict[str, Figure]) -> float | None:
    """Ranking of clerks for the pack: mean margin over target of the judged KPIs with a sufficient sample."""
    margins = [f.pct - f.target for c, f in figs.items() if c in JUDGED and f.met is not None]
    return sum(margins) / len(margins) if margins else None


def flag_since(flag, *, now: datetime | None = None, limit: int = 6) -> list[dict]:
    """The results of the months after a three-month flag (the follow-up part of the one record)."""
    now = now or timezone.now()
    scope = Scope("clerk" if flag.clerk_id else "hall", hall_ids=[flag.hall_id], clerk_id=flag.clerk_id)
    current = local_day(now).replace(day=1)
    out = []
    m = add_months(flag.month, 1)
    while m <= current and len(out) < limit:
        fig = month_figures(scope, m, now=now)[flag.kpi]
        out.append(
            {
                "month": f"{m:%Y-%m}",
                "pct": fig.as_dict()["pct"],
                "status": fig.status,
                "label": fig.status_label,
            }
        )
        m = add_months(m, 1)
    return out
