"""Excel workbooks (openpyxl): the monthly per-clerk results (bonus and promotion), the three-month flags register,
and the review pack's underlying tables."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kpi.definitions import JUDGED, KPIS, Figure
from kpi.models import Flag
from kpi.pack_sections import PROBLEMS
from staff.directory import person_name


def _sheet(wb, title: str, header: list[str], rows: list[list], first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    return ws


def _pct(fig: Figure):
    return None if fig.pct is None else round(fig.pct, 2)


def _met(fig: Figure) -> str:
    return {True: _("达标"), False: _("未达标")}.get(fig.met, str(fig.status_label))


def _save(wb) -> bytes:
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def clerk_header() -> list[str]:
    header = [_("营业厅"), _("员工")]
    for code in JUDGED:
        label = str(KPIS[code].label)
        header += [f"{label}（%）", f"{label} n", f"{label}{_('目标')}", f"{label}{_('是否达标')}"]
    return header


def clerk_rows(clerks: list[dict]) -> list[list]:
    rows = []
    for c in clerks:
        row = [c["hall"].name, c["name"]]
        for code in JUDGED:
            fig = c["figures"][code]
            row += [_pct(fig), fig.denominator, fig.target, _met(fig)]
        rows.append(row)
    return rows


def clerks_workbook(clerks: list[dict], month) -> bytes:
    wb = Workbook()
    _sheet(wb, f"{month:%Y-%m}", clerk_header(), clerk_rows(clerks), first=True)
    return _save(wb)


def flags_workbook(flags: list[Flag]) -> bytes:
    wb = Workbook()
    rows = [
        [
            f"{f.month:%Y-%m}",
            f.get_subject_display(),
            f.hall.name,
            person_name(f.clerk) if f.clerk else "",
            str(KPIS[f.kpi].label),
            "、".join(f"{m['month']} {'—' if m['pct'] is None else m['pct']}%" for m in f.months),
            f.get_status_display(),
            f.get_decision_display(),
            f.reason,
            f.decided_at.strftime("%Y-%m-%d %H:%M") if f.decided_at else "",
            f.follow_up,
        ]
        for f in flags
    ]
    header = [
        _("触发月份"),
        _("对象"),
        _("营业厅"),
        _("员工"),
        _("指标"),
        _("连续月份结果"),
        _("状态"),
        _("处理决定"),
        _("决定理由"),
        _("决定时间"),
        _("跟进情况"),
    ]
    _sheet(wb, _("连续未达标"), header, rows, first=True)
    return _save(wb)


def _pack_sections(wb, pack: dict) -> None:
    """Sheets 低分原因， 检查与暗访整改， 环境与设备， 亮点与问题； a section without data has the one row 暂无数据."""
    none = [[_("暂无数据")]]
    reasons = pack["reasons"]
    _sheet(
        wb,
        _("低分原因"),
        [_("原因"), _("条数"), _("占低分评价（%）")],
        [[r["name"], r["count"], r["share"]] for r in reasons["reasons"]] if reasons else none,
    )
    found = pack["findings"]
    _sheet(
        wb,
        _("检查与暗访整改"),
        [_("营业厅"), _("来源"), _("问题"), _("状态"), _("整改期限"), _("是否逾期")],
        [
            [
                r.hall.name,
                r.get_source_display(),
                r.title,
                r.get_status_display(),
                r.deadline.strftime("%Y-%m-%d"),
                _("是") if r.overdue else _("否"),
            ]
            for r in found["rectifications"]
        ]
        if found
        else none,
    )
    env = pack["environment"]
    _sheet(
        wb,
        _("环境与设备"),
        [_("营业厅"), _("设备"), _("完好率（%）"), _("停用时长（小时）"), _("维修次数")],
        [[_("合计"), env["devices"], env["availability_pct"], None, None]]
        + [[_("按时完成率（%）"), env["due"], env["compliance_pct"], None, None]]
        + [
            [
                d["hall"].name,
                d["facility"].label,
                d["availability_pct"],
                round(d["downtime_seconds"] / 3600, 2),
                d["repairs"],
            ]
            for d in env["worst"]
        ]
        if env
        else none,
    )
    hp = pack["highlights"]
    _sheet(
        wb,
        _("亮点与问题"),
        [_("类别"), _("内容")],
        [[_("亮点"), h] for h in hp["highlights"]]
        + [[str(PROBLEMS), p] for p in hp["problems"]]
        + [[f"{m['held_on']:%Y-%m-%d}", f"{m['highlights']} / {m['problems']}"] for m in hp["recorded"]]
        or none,
    )


def pack_workbook(pack: dict) -> bytes:
    wb = Workbook()
    figs = pack["figures"]
    _sheet(
        wb,
        _("考核指标"),
        [_("指标"), _("分子"), _("分母"), _("结果（%）"), _("目标（%）"), _("状态"), _("上月（%）")],
        [
            [
                str(KPIS[c].label),
                figs[c].numerator,
                figs[c].denominator,
                _pct(figs[c]),
                figs[c].target,
                str(figs[c].status_label),
                _pct(pack["previous"][c]),
            ]
            for c in KPIS
        ],
        first=True,
    )
    _sheet(
        wb,
        _("12个月趋势"),
        [_("月份")] + [str(KPIS[c].label) for c in JUDGED],
        [[f"{t['month']:%Y-%m}"] + [_pct(t["figures"][c]) for c in JUDGED] for t in pack["trend"]],
    )
    _sheet(wb, _("员工"), clerk_header(), clerk_rows(pack["clerks"]))
    hot = pack["hotspots"]
    if hot:
        _sheet(
            wb,
            _("投诉热点"),
            [_("业务类型"), _("本月"), _("上月")],
            [[r["label"], r["count"], r["previous"]] for r in hot["by_business_type"]],
        )
    _pack_sections(wb, pack)
    _sheet(
        wb,
        _("改进计划"),
        [_("改进事项"), _("原因"), _("责任人"), _("完成期限"), _("状态"), _("完成证据"), _("目标指标")],
        [
            [
                i.what,
                i.why,
                person_name(i.owner),
                i.deadline.strftime("%Y-%m-%d"),
                i.get_status_display(),
                i.evidence,
                str(KPIS[i.kpi].label),
            ]
            for i in pack["items"]
        ],
    )
    return _save(wb)


def year_workbook(pack: dict) -> bytes:
    """The annual revision's tables (``kpi.annual.annual_pack``): the year pooled, each month's Σ B, Σ A and result
    per KPI, the standard versions in force and what changed in each."""
    wb = Workbook()
    figs = pack["figures"]
    _sheet(
        wb,
        _("全年考核指标"),
        [_("指标"), _("分子"), _("分母"), _("结果（%）"), _("目标（%）"), _("状态")],
        [
            [
                str(KPIS[c].label),
                figs[c].numerator,
                figs[c].denominator,
                _pct(figs[c]),
                figs[c].target,
                str(figs[c].status_label),
            ]
            for c in KPIS
        ],
        first=True,
    )
    header = [_("月份")]
    for code in JUDGED:
        label = str(KPIS[code].label)
        header += [f"{label}（%）", f"{label}{_('分子')}", f"{label}{_('分母')}", f"{label}{_('状态')}"]
    rows = []
    for t in pack["trend"]:
        row = [f"{t['month']:%Y-%m}"]
        for code in JUDGED:
            fig = t["figures"][code]
            row += [_pct(fig), fig.numerator, fig.denominator, str(fig.status_label)]
        rows.append(row)
    _sheet(wb, _("各月结果"), header, rows)
    versions = pack["versions"]
    _sheet(
        wb,
        _("施行版本"),
        [_("版本号"), _("标题"), _("施行起"), _("施行止"), _("修订说明")],
        [
            [v["version"].number, v["version"].title, v["from"], v["until"], v["version"].notes]
            for v in versions
        ]
        or [[_("暂无数据")]],
    )
    _sheet(
        wb,
        _("修订内容"),
        [_("版本号"), _("条款"), _("参数"), _("修订前"), _("修订后")],
        [
            [v["version"].number, r["clause"], str(r["label"]), r["left_label"], r["right_label"]]
            for v in versions
            for r in v["changes"]
        ]
        or [[_("参数未变化")]],
    )
    return _save(wb)
