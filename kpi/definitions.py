"""The KPI definitions (SUP-2), written once: a numerator over a denominator (B ÷ A × 100 %), a target, a minimum
sample, the sources that feed it — all read from the service standard in force (``kpi.*`` parameters).

A figure for any scope (clerk, hall, region, chain) pools the sums: Σ B ÷ Σ A, never an average of percentages.
Compliance is the one KPI made of differently-scaled sources (scores, rounds done on time): each source is pooled
first, then the sources are combined with the standard's weights. No source with data → "no data", never 0 or 100 %.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _
from scipy.stats import binomtest

from lib.errors import ServiceError

SHANGHAI = ZoneInfo("Asia/Shanghai")
WILSON_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Kpi:
    code: str
    label: object
    clause: str
    target_param: str | None  # None: shown, not judged (the evaluation response rate)
    min_param: str | None


KPIS: dict[str, Kpi] = {
    "satisfaction": Kpi(
        "satisfaction", _("客户满意度"), "SUP-2", "kpi.satisfaction_pct", "kpi.satisfaction_min_sample"
    ),
    "on_time": Kpi("on_time", _("业务办理及时率"), "SUP-2", "kpi.on_time_pct", "kpi.on_time_min_sample"),
    "complaint_resolution": Kpi(
        "complaint_resolution",
        _("投诉解决率"),
        "SUP-2",
        "kpi.complaint_resolution_pct",
        "kpi.complaint_resolution_min_sample",
    ),
    "compliance": Kpi(
        "compliance", _("服务规范达标率"), "SUP-2", "kpi.compliance_pct", "kpi.compliance_min_sample"
    ),
    "evaluation_response": Kpi("evaluation_response", _("评价参与率"), "SUP-2", None, None),
}
JUDGED = ("satisfaction", "on_time", "complaint_resolution", "compliance")
COMPLIANCE_SOURCES = ("self_inspection", "mystery_visit", "appearance_check", "environment")


class Status:
    NO_DATA = "no_data"
    INSUFFICIENT = "insufficient"
    MET = "met"
    BELOW = "below"
    NO_RESULT = "no_result"  # every item counted is still open: nothing is settled yet (SUP-2)


STATUS_LABELS = {
    Status.NO_DATA: _("暂无数据"),
    Status.INSUFFICIENT: _("样本不足"),
    Status.MET: _("达标"),
    Status.BELOW: _("未达标"),
    Status.NO_RESULT: _("尚无定论"),
}


def kpi_or_error(code: str) -> Kpi:
    try:
        return KPIS[code]
    except KeyError:
        raise ServiceError("unknown_kpi", _("考核指标不存在"), field="kpi") from None


# --- months in Asia/Shanghai ---------------------------------------------------------------------------------
def local_day(at: datetime) -> date:
    return at.astimezone(SHANGHAI).date()


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def parse_month(value: str) -> date:
    """ "2026-11" → 2026-11-01; anything else is a 4xx."""
    try:
        year, month = (int(x) for x in str(value).split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        raise ServiceError("invalid_month", _("月份格式应为 YYYY-MM"), field="month") from None


def day_bounds(d: date) -> tuple[datetime, datetime]:
    start = datetime.combine(d, time.min, tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


# --- the figure ----------------------------------------------------------------------------------------------
@dataclass
class Part:
    source: str
    numerator: float
    denominator: float
    pending: float = 0

    @property
    def pct(self) -> float | None:
        return 100.0 * self.numerator / self.denominator if self.denominator else None

    @property
    def label(self):
        from kpi.registry import labels

        return labels().get(self.source, self.source)


@dataclass
class Figure:
    kpi: str
    numerator: float
    denominator: float
    pct: float | None
    target: float | None
    min_sample: float | None
    status: str
    wilson: tuple[float, float] | None = None  # percent, shown when the sample is small
    pending: float = 0
    parts: list[Part] = field(default_factory=list)

    @property
    def n(self) -> float:
        return self.denominator

    @property
    def met(self) -> bool | None:
        if self.status in (Status.MET, Status.BELOW):
            return self.status == Status.MET
        return None

    @property
    def label(self):
        return KPIS[self.kpi].label

    @property
    def provisional(self) -> bool:
        """Some of A is still open: the figure may still rise as they are settled (SUP-2, complaints)."""
        return bool(self.pending) and self.pct is not None

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    def as_dict(self) -> dict:
        return {
            "kpi": self.kpi,
            "label": str(self.label),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "pct": None if self.pct is None else round(self.pct, 2),
            "target": self.target,
            "min_sample": self.min_sample,
            "status": self.status,
            "met": self.met,
            "wilson_low": None if self.wilson is None else round(self.wilson[0], 2),
            "wilson_high": None if self.wilson is None else round(self.wilson[1], 2),
            "pending": self.pending,
            "provisional": self.provisional,
            "parts": [
                {
                    "source": p.source,
                    "numerator": p.numerator,
                    "denominator": p.denominator,
                    "pct": None if p.pct is None else round(p.pct, 2),
                    "pending": p.pending,
                }
                for p in self.parts
            ],
        }


def wilson(numerator: float, denominator: float) -> tuple[float, float] | None:
    """95 % Wilson score interval in percent (scipy's binomtest); counts are rounded for score-based sources."""
    n = round(denominator)
    if n <= 0:
        return None
    return _wilson(min(max(round(numerator), 0), n), n)


@lru_cache(maxsize=4096)
def _wilson(k: int, n: int) -> tuple[float, float]:
    # A pure function of two small integers; scipy takes ~0.3 ms a call and a dashboard asks for dozens.
    ci = binomtest(k, n).proportion_ci(confidence_level=WILSON_CONFIDENCE, method="wilson")
    return 100.0 * float(ci.low), 100.0 * float(ci.high)


def compliance_weight(std: dict, source: str) -> float:
    return float(std.get(f"kpi.compliance_weight_{source}", 1) or 0)


def figure(code: str, parts: list[Part], std) -> Figure:
    """One KPI for one scope and period from its pooled parts (one Part per source, already Σ over the scope)."""
    kpi = KPIS[code]
    target = float(std[kpi.target_param]) if kpi.target_param else None
    min_sample = float(std[kpi.min_param]) if kpi.min_param else None
    live = [p for p in parts if p.denominator]
    pending = sum(p.pending for p in parts)
    num = sum(p.numerator for p in live)
    den = sum(p.denominator for p in live)
    if not live:
        return Figure(code, 0, 0, None, target, min_sample, Status.NO_DATA, pending=pending, parts=parts)
    if code == "compliance":
        weights = {p.source: compliance_weight(std, p.source) for p in live}
        total = sum(weights.values())
        pct = sum(weights[p.source] * p.pct for p in live) / total if total else None
    else:
        pct = 100.0 * num / den
    if pct is None:
        return Figure(code, num, den, None, target, min_sample, Status.NO_DATA, pending=pending, parts=parts)
    if pending and pending >= den:  # all still open (e.g. no complaint answered yet): not 0 %, no result yet
        return Figure(
            code, num, den, None, target, min_sample, Status.NO_RESULT, pending=pending, parts=parts
        )
    if min_sample is not None and den < min_sample:
        status = Status.INSUFFICIENT
    elif target is None:
        status = Status.MET
    else:
        status = Status.MET if pct >= target else Status.BELOW
    interval = wilson(num, den) if status == Status.INSUFFICIENT else None
    return Figure(code, num, den, pct, target, min_sample, status, interval, pending, parts)


def counts_as_below(fig: Figure) -> bool:
    """The three-month rule (SUP-2): a month counts as below target when its figure is below target, or — with an
    insufficient sample — when even the top of its Wilson interval is below target (the shortfall is certain).
    Any other insufficient month, and a month with no data, does not count as below: the run of months restarts."""
    if fig.status == Status.BELOW:
        return True
    if fig.status == Status.INSUFFICIENT and fig.wilson and fig.target is not None:
        return fig.wilson[1] < fig.target
    return False
