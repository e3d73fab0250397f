"""The 《服务自查报告》 (SUP-1.1) as a Chinese PDF: hall, week, inspector, score by section, findings with photos, the
rectification list. Same embedded CJK font as the complaint receipts (complaints/pdf.py)."""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.pdf import FONT_FAMILY, _document, _rows
from inspections.selectors import person


def _fmt(dt) -> str:
    return timezone.localtime(dt).strftime("%Y年%m月%d日 %H:%M") if dt else "—"


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def report_pdf(data: dict, run) -> bytes:
    pdf = _document(_("服务自查报告"))
    week_end = run.week_start + timedelta(days=6)
    outcome = run.get_outcome_display() if run.outcome else "—"
    _rows(
        pdf,
        [
            (_("营业厅"), run.hall.name),
            (_("自查周"), f"{run.week_start:%Y-%m-%d} — {week_end:%Y-%m-%d}"),
            (_("检查人"), person(run.inspector)),
            (_("提交时间"), _fmt(run.submitted_at)),
            (_("总得分"), _pct(run.score_pct)),
            (_("结论"), outcome),
        ]
        + [(_("分项得分：%(s)s") % {"s": s["label"]}, _pct(s["pct"])) for s in data["sections"]],
    )
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, size=13)
    pdf.cell(0, 8, _("发现问题"), new_x="LMARGIN", new_y="NEXT")
    if not data["findings"]:
        _rows(pdf, [(_("发现问题"), _("本周自查未发现问题"))])
    for finding in data["findings"]:
        item, answer = finding["item"], finding["answer"]
        extra = []
        if answer.repeat:
            extra.append(_("重复问题"))
        if answer.cited_clerk_id:
            extra.append(_("涉及员工：%(p)s") % {"p": person(answer.cited_clerk)})
        if answer.facility_name:
            extra.append(_("涉及设施：%(f)s") % {"f": answer.facility_name})
        # The clause the item checks (clause IDs belong in reports), not the item bank's internal code.
        ref = item.get("clause") or _("检查项")
        _rows(pdf, [(ref, "  ".join([item["text"], *extra, answer.note or ""]).strip())])
        if answer.photo and answer.photo_type in ("image/jpeg", "image/png", "image/gif"):
            try:
                with answer.photo.open("rb") as fh:
                    if pdf.get_y() + 50 > pdf.page_break_trigger:
                        pdf.add_page()
                    pdf.image(io.BytesIO(fh.read()), x=pdf.l_margin + 2, h=45)
            except Exception:  # noqa: BLE001 - a damaged photo must not stop the report
                pdf.cell(0, 6, _("（照片无法显示）"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, size=13)
    pdf.cell(0, 8, _("整改清单"), new_x="LMARGIN", new_y="NEXT")
    rows = [
        (
            r.title,
            _("责任人：%(o)s；期限：%(d)s；状态：%(s)s")
            % {"o": person(r.owner), "d": _fmt(r.deadline), "s": r.get_status_display()},
        )
        for r in data["rectifications"]
    ]
    _rows(pdf, rows or [(_("整改清单"), _("无"))])
    return bytes(pdf.output())
