"""The year's review pack (SUP-3, the annual revision) under /api/v1/kpi/pack/year (.pdf, .xlsx): the year's KPIs pooled and month
by month, the service-standard versions in force during the year and what changed in each — the same
``kpi.annual.annual_pack`` the page, its PDF and its workbook read. Like the page: for those who may view KPIs
(a clerk's own figures are on /kpi/clerks and the dashboard), scoped to the viewer's halls; a bad year is a 4xx."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from kpi import exports
from kpi.annual import annual_pack, read_year
from kpi.api import ERRORS, XLSX, _figs, _file, _scope_out
from kpi.pdf import year_pdf
from kpi.schemas import FigureOut, ScopeOut, TrendPointOut
from kpi.web import read_scope
from lib.errors import Forbidden
from staff.access import user_can
from staff.web import api_staff_user

router = Router()


class ChangeOut(Schema):
    code: str
    clause: str
    label: str
    before: str | None
    after: str | None


class VersionInYearOut(Schema):
    number: int
    title: str
    notes: str
    in_force_from: date
    in_force_until: date
    previous: int | None
    changes: list[ChangeOut]


class YearPackOut(Schema):
    scope: ScopeOut
    year: int
    figures: list[FigureOut]
    months: list[TrendPointOut]
    versions: list[VersionInYearOut]


def _year_pack(request, year: str | None, hall: str | None, region: str | None) -> dict:
    user = api_staff_user(request)
    if not user_can(user, "kpi.view"):
        raise Forbidden("forbidden", _("您没有执行此操作的权限"))
    scope = read_scope(user, {"hall": hall, "region": region})
    return annual_pack(scope, read_year(year))


@router.get(
    "/pack/year", response={200: YearPackOut, **ERRORS}, summary="年度服务质量报告 / The year's review pack"
)
def year_pack(request, year: str | None = None, hall: str | None = None, region: str | None = None):
    p = _year_pack(request, year, hall, region)
    return {
        "scope": _scope_out(p["scope"]),
        "year": p["year"],
        "figures": _figs(p["figures"]),
        "months": [{"month": f"{t['month']:%Y-%m}", "figures": _figs(t["figures"])} for t in p["trend"]],
        "versions": [
            {
                "number": v["version"].number,
                "title": v["version"].title,
                "notes": v["version"].notes,
                "in_force_from": v["from"],
                "in_force_until": v["until"],
                "previous": v["previous"].number if v["previous"] else None,
                "changes": [
                    {
                        "code": c["code"],
                        "clause": c["clause"],
                        "label": str(c["label"]),
                        "before": None if c["left_label"] is None else str(c["left_label"]),
                        "after": None if c["right_label"] is None else str(c["right_label"]),
                    }
                    for c in v["changes"]
                ],
            }
            for v in p["versions"]
        ],
    }


@router.get(
    "/pack/year.pdf",
    response={200: None, **ERRORS},
    summary="年度服务质量报告PDF / The year's review pack (PDF)",
    openapi_extra={"responses": {"200": {"content": {"application/pdf": {}}, "description": "PDF"}}},
)
def year_pack_pdf(request, year: str | None = None, hall: str | None = None, region: str | None = None):
    p = _year_pack(request, year, hall, region)
    return _file(year_pdf(p), "application/pdf", f"kpi-year-{p['year']}.pdf")


@router.get(
    "/pack/year.xlsx",
    response={200: None, **ERRORS},
    summary="年度服务质量报告Excel / The year's review pack (Excel)",
    openapi_extra={"responses": {"200": {"content": {XLSX: {}}, "description": "Excel"}}},
)
def year_pack_xlsx(request, year: str | None = None, hall: str | None = None, region: str | None = None):
    p = _year_pack(request, year, hall, region)
    return _file(exports.year_workbook(p), XLSX, f"kpi-year-{p['year']}.xlsx")
