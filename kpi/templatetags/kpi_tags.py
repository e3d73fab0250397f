"""How a KPI figure reads on any page (SUP-2): the value — or 暂无数据 / 尚无定论 — and the 样本不足 marker with its
Wilson interval. The KPI dashboard, the review pack and the evaluations report all render a figure through these,
so one month's satisfaction reads the same everywhere."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.inclusion_tag("kpi/_value.html")
def kpi_value(fig):
    return {"fig": fig}


@register.inclusion_tag("kpi/_marker.html")
def kpi_marker(fig):
    return {"fig": fig}


@register.simple_tag
def kpi_cells(figs):
    """A table row's cells, one per figure: the value (or its status when there is none) and n. One tag per row
    instead of a loop of conditions and filters per cell: the clerks' and halls' tables have one row per person or
    hall, each with every judged KPI."""
    return format_html_join(
        "",
        '<td class="{}">{} <span class="muted">n={}</span></td>',
        (
            (
                fig.status,
                fig.status_label if fig.pct is None else format_html("{}%", floatformat(fig.pct, 2)),
                floatformat(fig.denominator, "-1"),
            )
            for fig in figs
        ),
    )
