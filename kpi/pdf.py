"""The review pack as PDF (SUP-3): fpdf2 with the project's embedded CJK font (``complaints.pdf.find_cjk_font``);
the 12-month trends are drawn as simple bars with the target as a line, red where below.

The pack is written in the reader's language like every page (issue 10 §3): its words through gettext, data with an
English column through its label property (``lib.i18n.in_ui_language``), and the marks this module puts between
them through the translated marks (``_("：")``, ``_("（")`` …, lib/fullwidth.py): full-width in Chinese, ASCII in
English."""

from __future__ import annotations

from django.utils.translation import gettext as _

from complaints.pdf import FONT_FAMILY, find_cjk_font
from kpi.definitions import JUDGED, KPIS, Figure
from kpi.pack_sections import PROBLEMS
from kpi.report import chart_data
from lib.i18n import ui_is_english
from staff.directory import person_name


def _pct(fig: Figure) -> str:
    if fig.pct is None:
        return str(fig.status_label)
    text = f"{fig.pct:.2f}%"
    if fig.wilson:
        text += f"{_('（')}{_('样本不足')}{_('，')}{fig.wilson[0]:.1f}–{fig.wilson[1]:.1f}%{_('）')}"
    return text


def _with_unit(value, unit: str) -> str:
    """A standard parameter's value with its unit, spaced as the reader's language writes it (a Chinese unit
    follows the number directly)."""
    if value in (None, ""):
        return "—"
    if not unit or unit == "%":
        return f"{value}{unit}"
    return f"{value}{' ' if ui_is_english() else ''}{unit}"


def _bars(pdf, label: str, values: list, months: list[str], target) -> None:
    pdf.set_font(FONT_FAMILY, size=10)
    pdf.cell(0, 6, label, new_x="LMARGIN", new_y="NEXT")
    x0, y0, w, h = pdf.l_margin, pdf.get_y(), 180, 30
    lo = 80.0  # the bars start at 80 %: the interesting band of these KPIs
    step = w / max(1, len(values))
    for i, v in enumerate(values):
        if v is None:
            continue
        bar = max(0.5, (min(100.0, max(lo, v)) - lo) / (100 - lo) * h)
        below = target is not None and v < target
        pdf.set_fill_color(*((214, 69, 65) if below else (52, 120, 198)))
        pdf.rect(x0 + i * step + 1, y0 + h - bar, step - 2, bar, style="F")
    if target is not None:
        ty = y0 + h - (target - lo) / (100 - lo) * h
        pdf.set_draw_color(60, 60, 60)
        pdf.line(x0, ty, x0 + w, ty)
    pdf.set_font(FONT_FAMILY, size=6)
    for i, m in enumerate(months):
        pdf.text(x0 + i * step + 1, y0 + h + 3, m[2:])
    pdf.set_y(y0 + h + 6)


def _lines(pdf, title: str, lines: list[str]) -> None:
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=10)
    for line in lines or [_("暂无数据")]:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT", align="L")


def _sections(pdf, pack: dict) -> None:
    """Sections five to eight (``kpi.pack_sections``): a section without data reads 暂无数据."""
    reasons = pack["reasons"]
    lines = []
    if reasons:
        lines.append(_("低分评价 %(n)s 条") % {"n": reasons["low"]})
        lines += [
            f"{r['name']}{_('：')}{r['count']}{_('（')}{r['share']}%{_('）')}"
            for r in reasons["reasons"][:10]
        ]
    _lines(pdf, _("五、低分评价原因"), lines)
    found, lines = pack["findings"], []
    if found:
        for src in found["by_source"]:
            counts = _("、").join(f"{st['label']} {st['count']}" for st in src["statuses"])
            lines.append(f"{src['label']}{_('：')}{_('整改项')} {src['total']}{_('（')}{counts}{_('）')}")
        for r in found["rectifications"][:20]:
            late = f" · {_('已逾期')}" if r.overdue else ""
            lines.append(f"· {r.hall.name} · {r.title} · {r.get_status_display()}{late}")
        if found["carried_over"]:
            lines.append(_("以前月份未验收的整改项 %(n)s 项") % {"n": found["carried_over"]})
    _lines(pdf, _("六、检查与暗访发现及整改"), lines)
    env, lines = pack["environment"], []
    if env:
        na = _("暂无数据")
        comp = (
            na
            if env["compliance_pct"] is None
            else f"{env['compliance_pct']:.2f}%{_('（')}{env['on_time']}/{env['due']}{_('）')}"
        )
        avail = na if env["availability_pct"] is None else f"{env['availability_pct']:.2f}%"
        lines.append(f"{_('环境巡检与设备维护按时完成率')}{_('：')}{comp}")
        lines.append(f"{_('设备完好率')}{_('：')}{avail}")
        lines += [
            f"· {d['hall'].name} · {d['facility'].label}{_('：')}{d['availability_pct']:.2f}%"
            for d in env["worst"]
        ]
    _lines(pdf, _("七、环境达标与设备完好"), lines)
    hp = pack["highlights"]
    lines = [f"{_('亮点')}{_('：')}{h}" for h in hp["highlights"]]
    lines += [f"{PROBLEMS}{_('：')}{p}" for p in hp["problems"]]
    lines += [
        f"{m['held_on']:%Y-%m-%d} {_('亮点')}{_('：')}{m['highlights']} {PROBLEMS}{_('：')}{m['problems']}"
        for m in hp["recorded"]
    ]
    _lines(pdf, _("八、亮点与问题"), lines)


def _document(title: str, subtitle: str):
    """An A4 document with the CJK font embedded, its title and subtitle drawn (the monthly and the annual pack)."""
    from fpdf import FPDF

    path, index = find_cjk_font()
    # Every multi_cell is align="L": fpdf2 justifies by default, spreading a wrapped Chinese line at its spaces.
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Tingwu")
    pdf.add_font(FONT_FAMILY, "", path, collection_font_number=index)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=16)
    pdf.cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=11)
    pdf.cell(0, 7, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    return pdf


def pack_pdf(pack: dict) -> bytes:
    pdf = _document(_("月度服务质量分析报告"), f"{pack['scope'].label} · {pack['month']:%Y-%m}")
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(0, 8, _("一、考核指标与目标"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=10)
    for code in KPIS:
        fig, prev = pack["figures"][code], pack["previous"][code]
        target = "—" if fig.target is None else f"{fig.target:g}%"
        line = (
            f"{KPIS[code].label}{_('：')}{_pct(fig)}  {_('目标')} {target}  n={fig.denominator:g}  "
            f"{fig.status_label}  {_('上月')} {_pct(prev)}"
        )
        if fig.pending:
            line += f"  {_('暂定') + ' ' if fig.provisional else ''}{_('仍未办结')} {fig.pending:g}"
        pdf.set_text_color(*((200, 40, 40) if fig.met is False else (0, 0, 0)))
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(0, 8, _("二、近12个月趋势"), new_x="LMARGIN", new_y="NEXT")
    charts = chart_data(pack)
    for code in JUDGED:
        s = charts["series"][code]
        _bars(pdf, s["label"], s["values"], charts["months"], s["target"])
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(0, 8, _("三、员工表现"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=10)
    for title_, rows in ((_("表现最佳"), pack["best"]), (_("有待提升"), pack["weakest"])):
        names = _("、").join(f"{c['name']}{_('（')}{c['hall'].name}{_('）')}" for c in rows) or _("暂无数据")
        pdf.multi_cell(0, 6, f"{title_}{_('：')}{names}", new_x="LMARGIN", new_y="NEXT", align="L")
    if pack["flags"]:
        pdf.multi_cell(
            0,
            6,
            _("连续未达标：")
            + _("、").join(
                f"{person_name(f.clerk) if f.clerk else f.hall.name}{_('（')}{KPIS[f.kpi].label}{_('）')}"
                for f in pack["flags"]
            ),
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(0, 8, _("四、投诉热点"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=10)
    hot = pack["hotspots"]
    if not hot or not hot["total"]:
        pdf.cell(0, 6, _("暂无数据"), new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.multi_cell(
            0,
            6,
            _("本月投诉 %(n)s 件，上月 %(p)s 件") % {"n": hot["total"], "p": hot["previous_total"]},
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
        for row in hot["by_business_type"][:5]:
            pdf.cell(0, 6, f"{row['label']}{_('：')}{row['count']}", new_x="LMARGIN", new_y="NEXT")
        if hot["keywords"]:
            pdf.multi_cell(
                0,
                6,
                _("关键词：") + _("、").join(k["word"] for k in hot["keywords"][:10]),
                new_x="LMARGIN",
                new_y="NEXT",
                align="L",
            )
    _sections(pdf, pack)
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(0, 8, _("九、服务分析会与改进计划"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=10)
    for m in pack["meetings"]:
        pdf.multi_cell(
            0,
            6,
            f"{m.held_on:%Y-%m-%d} {_('亮点')}{_('：')}{m.highlights} {PROBLEMS}{_('：')}{m.problems}",
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
    for i in pack["items"]:
        pdf.multi_cell(
            0,
            6,
            f"· {i.what}{_('（')}{KPIS[i.kpi].label}{_('，')}{i.get_status_display()}{_('，')}"
            f"{_('期限')} {i.deadline:%Y-%m-%d}{_('）')}",
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
    if not pack["meetings"] and not pack["items"]:
        pdf.cell(0, 6, _("暂无记录"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def year_pdf(pack: dict) -> bytes:
    """The annual revision (``kpi.annual.annual_pack``): the year pooled, each month's results with the trend bars,
    and the standard versions in force with what changed."""
    pdf = _document(_("年度服务质量报告"), f"{pack['scope'].label} · {_('%(y)s年') % {'y': pack['year']}}")
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(0, 8, _("一、全年考核指标"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=10)
    for code in KPIS:
        fig = pack["figures"][code]
        target = "—" if fig.target is None else f"{fig.target:g}%"
        pdf.set_text_color(*((200, 40, 40) if fig.met is False else (0, 0, 0)))
        pdf.multi_cell(
            0,
            6,
            f"{KPIS[code].label}{_('：')}{_pct(fig)}  {_('目标')} {target}  n={fig.denominator:g}  {fig.status_label}",
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(0, 8, _("二、各月结果"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=9)
    for t in pack["trend"]:
        cells = "  ".join(f"{KPIS[c].label} {_pct(t['figures'][c])}" for c in JUDGED)
        pdf.multi_cell(0, 5, f"{t['month']:%Y-%m}  {cells}", new_x="LMARGIN", new_y="NEXT", align="L")
    charts = chart_data(pack)
    for code in JUDGED:
        s = charts["series"][code]
        _bars(pdf, s["label"], s["values"], charts["months"], s["target"])
    lines = []
    for v in pack["versions"]:
        span = _("%(a)s 至 %(b)s 施行") % {"a": f"{v['from']:%Y-%m-%d}", "b": f"{v['until']:%Y-%m-%d}"}
        lines.append(f"{v['version']}{_('（')}{span}{_('）')}")
        if v["version"].notes:
            lines.append(f"{_('修订说明')}{_('：')}{v['version'].notes}")
        if v["previous"] is None:
            lines.append(f"· {_('首个版本')}")
        for r in v["changes"]:
            left, right = (
                _with_unit(r["left_label"], r["unit_label"]),
                _with_unit(r["right_label"], r["unit_label"]),
            )
            lines.append(f"· {r['clause']} {r['label']}{_('：')}{left} → {right}")
        if v["previous"] is not None and not v["changes"]:
            lines.append(f"· {_('参数未变化')}")
    _lines(pdf, _("三、年内施行的服务规范版本及修订内容"), lines)
    return bytes(pdf.output())
