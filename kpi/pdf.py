"""The review pack as PDF (SUP-3): fpdf2 with the project's embedded CJK font (``complaints.pdf.find_cjk_font``);
the 12-month trends are drawn as simple bars with the target as a line, red where below."""

from __future__ import annotations

from django.utils.translation import gettext as _

from complaints.pdf import FONT_FAMILY, find_cjk_font
from kpi.definitions import JUDGED, KPIS, Figure
from kpi.report import chart_data
from staff.directory import person_name


def _pct(fig: Figure) -> str:
    if fig.pct is None:
        return str(fig.status_label)
    text = f"{fig.pct:.2f}%"
    if fig.wilson:
        text += f"({_('样本不足')},{fig.wilson[0]:.1f}–{fig.wilson[1]:.1f}%)"
    return text


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


def pack_pdf(pack: dict) -> bytes:
    from fpdf import FPDF

    path, index = find_cjk_font()
    scope = pack["scope"]
    title = _("月度服务质量分析报告")
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Tingwu")
    pdf.add_font(FONT_FAMILY, "", path, collection_font_number=index)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=16)
    pdf.cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=11)
    pdf.cell(0, 7, f"{scope.label} · {pack['month']:%Y-%m}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(0, 8, _("一、考核指标与目标"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=10)
    for code in KPIS:
        fig, prev = pack["figures"][code], pack["previous"][code]
        target = "—" if fig.target is None else f"{fig.target:g}%"
        line = (
            f"{KPIS[code].label}:{_pct(fig)}  {_('目标')} {target}  n={fig.denominator:g}  "
            f"{fig.status_label}  {_('上月')} {_pct(prev)}"
        )
        if fig.pending:
            line += f"  {_('仍未办结')} {fig.pending:g}"
        pdf.set_text_color(*((200, 40, 40) if fig.met is False else (0, 0, 0)))
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
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
        names = "、".join(f"{c['name']}({c['hall'].name})" for c in rows) or _("暂无数据")
        pdf.multi_cell(0, 6, f"{title_}:{names}", new_x="LMARGIN", new_y="NEXT")
    if pack["flags"]:
        pdf.multi_cell(
            0,
            6,
            _("连续未达标：")
            + "、".join(
                f"{person_name(f.clerk) if f.clerk else f.hall.name}({KPIS[f.kpi].label})"
                for f in pack["flags"]
            ),
            new_x="LMARGIN",
            new_y="NEXT",
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
        )
        for row in hot["by_business_type"][:5]:
            pdf.cell(0, 6, f"{row['label']}:{row['count']}", new_x="LMARGIN", new_y="NEXT")
        if hot["keywords"]:
            pdf.multi_cell(
                0,
                6,
                _("关键词：") + "、".join(k["word"] for k in hot["keywords"][:10]),
                new_x="LMARGIN",
                new_y="NEXT",
            )
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(0, 8, _("五、服务分析会与改进计划"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=10)
    for m in pack["meetings"]:
        pdf.multi_cell(
            0,
            6,
            f"{m.held_on:%Y-%m-%d} {_('亮点')}:{m.highlights} {_('问题')}:{m.problems}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    for i in pack["items"]:
        pdf.multi_cell(
            0,
            6,
            f"· {i.what}({KPIS[i.kpi].label},{i.get_status_display()},{_('期限')} {i.deadline:%Y-%m-%d})",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if not pack["meetings"] and not pack["items"]:
        pdf.cell(0, 6, _("暂无记录"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
