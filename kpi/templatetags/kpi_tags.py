"""How a KPI figure reads on any page (SUP-2): the value — or 暂无数据 / 尚无定论 — and the 样本不足 marker with its
Wilson interval. The KPI dashboard, the review pack and the evaluations report all render a figure through these,
so one month's satisfaction reads the same everywhere."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("kpi/_value.html")
def kpi_value(fig):
    return {"fig": fig}


@register.inclusion_tag("kpi/_marker.html")
def kpi_marker(fig):
    return {"fig": fig}
