"""The KPI API's input and output schemas (kpi/api.py has the endpoints)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import Field


class PartOut(Schema):
    source: str
    numerator: float
    denominator: float
    pct: float | None
    pending: float


class FigureOut(Schema):
    kpi: str
    label: str
    numerator: float = Field(description="Σ B")
    denominator: float = Field(description="Σ A (n)")
    pct: float | None = Field(description="B ÷ A × 100; null = no data")
    target: float | None
    min_sample: float | None
    status: str = Field(
        description="no_data | insufficient | met | below | no_result (every item still open)"
    )
    met: bool | None
    wilson_low: float | None = Field(description="95 % Wilson interval when the sample is insufficient")
    wilson_high: float | None
    pending: float = Field(description="complaints still open (shown apart)")
    provisional: bool = Field(False, description="some of A still open: the figure is not final")
    parts: list[PartOut]


class ScopeOut(Schema):
    kind: str = Field(description="hall | halls | region | chain | clerk")
    label: str
    hall_ids: list[int] | None
    clerk_id: int | None


class FiguresOut(Schema):
    scope: ScopeOut
    month: str
    figures: list[FigureOut]
    previous_month: str
    previous: list[FigureOut]


class TrendPointOut(Schema):
    month: str
    figures: list[FigureOut]


class ClerkOut(Schema):
    clerk_id: int
    name: str
    hall: str
    figures: list[FigureOut]


class KpiHallOut(Schema):
    hall: str
    name: str
    figures: list[FigureOut]


class RowOut(Schema):
    at: datetime
    source: str
    source_label: str
    label: str
    numerator: float
    denominator: float
    note: str
    url: str | None


class RowsOut(Schema):
    kpi: str
    month: str
    rows: list[RowOut]


class DefinitionOut(Schema):
    kpi: str
    label: str
    clause: str
    target: float | None
    min_sample: float | None


class MonthResultOut(Schema):
    month: str
    pct: float | None
    status: str


class FlagOut(Schema):
    id: int
    subject: str
    hall: str
    clerk_id: int | None
    kpi: str
    month: str
    months: list[MonthResultOut]
    since: list[MonthResultOut] = Field(description="results of the months after the flag")
    status: str
    decision: str
    decided_at: datetime | None
    retraining_id: int | None = Field(None, description="the retraining assigned (training app), if any")
    retraining_status: str | None = Field(None, description="assigned | done | cancelled")


class DecisionIn(Schema):
    decision: str = Field(description="retraining | reassignment (clerk); region_review (hall)")
    reason: str = Field(..., max_length=1000)
    due: date | None = None


class KpiFollowUpIn(Schema):
    note: str = Field(..., max_length=1000)
    close: bool = False


class MeetingIn(Schema):
    hall: str
    month: str = Field(description="YYYY-MM analysed")
    held_on: date
    attendees: str = Field(..., max_length=2000)
    highlights: str = Field("", max_length=4000)
    problems: str = Field("", max_length=4000)
    decisions: str = Field("", max_length=4000)


class MeetingOut(Schema):
    id: int
    hall: str
    month: str
    held_on: date


class PlanItemIn(Schema):
    what: str = Field(..., max_length=1000)
    why: str = Field("", max_length=1000)
    owner_id: int
    kpi: str


class PlanItemOut(Schema):
    id: int
    meeting_id: int
    kpi: str
    status: str
    deadline: datetime
    done_at: datetime | None


class PlanStatusIn(Schema):
    status: str
    evidence: str = Field("", max_length=2000)


class PackOut(Schema):
    scope: ScopeOut
    month: str
    figures: list[FigureOut]
    previous: list[FigureOut]
    trend: dict
    best: list[str]
    weakest: list[str]
    flags: int
    plan_items: int
    complaints: int | None
    low_score_evaluations: int | None = Field(
        None, description="valid evaluations below 满意； null = no data"
    )
    rectifications: int | None = Field(None, description="items raised this month; null = no data")
    rectifications_overdue: int | None = None
    environment_compliance_pct: float | None = Field(
        None, description="rounds/checks on time ÷ due; null = none due"
    )
    device_availability_pct: float | None = Field(None, description="null = no device measured")
    highlights: list[str] = []
    problems: list[str] = []
