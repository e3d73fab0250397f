"""What pages and the API share: reading the scope, month and KPI filters of a request (unknown values are a 4xx)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpi import registry
from kpi.definitions import kpi_or_error, local_day, month_end, parse_month
from kpi.models import Flag, FlagStatus, Subject
from kpi.selectors import Scope, resolve_scope
from lib.errors import ServiceError
from lib.months import add_months


def current_month() -> date:
    return local_day(timezone.now()).replace(day=1)


def read_month(value: str | None, default: date | None = None) -> date:
    if value in (None, ""):
        return default or current_month()
    month = parse_month(value)
    if month > current_month():
        raise ServiceError("future_month", _("不能查询未来的月份"), field="month")
    return month


def read_scope(user, params) -> Scope:
    return resolve_scope(
        user, hall=params.get("hall"), region=params.get("region"), clerk=params.get("clerk")
    )


def read_drill(user, params) -> dict:
    """kpi (required), source (optional, must be a known source), month, scope → the rows behind the figure."""
    code = params.get("kpi") or ""
    kpi_or_error(code)
    source = params.get("source") or ""
    labels = registry.labels()
    if source and source not in labels:
        raise ServiceError("unknown_source", _("数据来源不存在"), field="source")
    scope = read_scope(user, params)
    month = read_month(params.get("month"))
    if source:
        sources = [source]
    else:
        sources = sorted(
            set(
                scope.rollups(month, month_end(month))
                .filter(kpi=code)
                .values_list("source", flat=True)
                .distinct()
            )
        )
    rows = []
    for s in sources:
        for r in registry.rows(
            source=s,
            day_from=month,
            day_to=min(month_end(month), local_day(timezone.now())),
            hall_ids=scope.drill_hall_ids(),
            clerk_id=scope.clerk_id,
        ):
            rows.append({**r, "source": s, "source_label": str(labels.get(s, s))})
    rows.sort(key=lambda r: r["at"])
    return {"kpi": code, "source": source, "month": month, "scope": scope, "rows": rows}


def read_flag_filters(user, params):
    qs = Flag.objects.for_user(user, "kpi.view").select_related("hall", "clerk", "decided_by", "retraining")
    status = params.get("status") or ""
    if status:
        if status not in FlagStatus.values:
            raise ServiceError("invalid_filter", _("筛选条件不正确"), field="status")
        qs = qs.filter(status=status)
    subject = params.get("subject") or ""
    if subject:
        if subject not in Subject.values:
            raise ServiceError("invalid_filter", _("筛选条件不正确"), field="subject")
        qs = qs.filter(subject=subject)
    if params.get("kpi"):
        kpi_or_error(params["kpi"])
        qs = qs.filter(kpi=params["kpi"])
    if params.get("month"):
        qs = qs.filter(month=parse_month(params["month"]))
    return qs


def previous_month() -> date:
    return add_months(current_month(), -1)
