"""Printable documents (ENV-2.2, ENV-4): the A4 maintenance-notice poster beside a broken device and the day's
cleaning sheet, with the CJK font the receipts use (complaints/pdf.py)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.pdf import FONT_FAMILY, find_cjk_font
from facilities.services.faults import MAINTENANCE_NOTICE


def _pdf(title: str):
    from fpdf import FPDF

    path, index = find_cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Tingwu")
    pdf.add_font(FONT_FAMILY, "", path, collection_font_number=index)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    return pdf


def notice_poster_pdf(fault) -> bytes:
    """A4 portrait: the standard words large, the device and the hall small (ENV-2.2)."""
    pdf = _pdf(_("设备维护中"))
    pdf.set_draw_color(180, 35, 24)
    pdf.set_line_width(2)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)
    pdf.set_text_color(180, 35, 24)
    pdf.set_font(FONT_FAMILY, size=60)
    pdf.set_y(45)
    pdf.cell(0, 30, _("设备维护中"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.set_text_color(29, 35, 41)
    pdf.set_font(FONT_FAMILY, size=30)
    head, _sep, tail = MAINTENANCE_NOTICE.partition(",")
    pdf.set_x(25)
    pdf.multi_cell(pdf.w - 50, 16, tail or head, align="C")
    pdf.ln(20)
    pdf.set_font(FONT_FAMILY, size=16)
    facility = fault.facility
    pdf.cell(0, 10, f"{facility.label}({facility.asset_code})", align="C", new_x="LMARGIN", new_y="NEXT")
    if facility.location:
        pdf.cell(0, 10, facility.location, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.h - 45)
    pdf.set_font(FONT_FAMILY, size=14)
    when = timezone.localtime(fault.confirmed_at or fault.reported_at).strftime("%Y-%m-%d %H:%M")
    pdf.cell(0, 8, f"{fault.facility.hall.name}  {when}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, _("给您带来不便，敬请谅解"), align="C")
    return bytes(pdf.output())


def cleaning_sheet_pdf(*, hall, day, rounds, sheet) -> bytes:
    pdf = _pdf(_("清洁记录表"))
    pdf.set_font(FONT_FAMILY, size=18)
    pdf.cell(0, 12, _("清洁记录表"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=11)
    pdf.cell(0, 8, f"{hall.name}  {day:%Y-%m-%d}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = [45, 45, 30, 35, 35]
    heads = [_("清洁"), _("时间窗口"), _("状态"), _("完成时间"), _("完成人")]
    for w, h in zip(widths, heads, strict=True):
        pdf.cell(w, 9, h, border=1, align="C")
    pdf.ln()
    for r in rounds:
        label = str(r.get_kind_display()) + (f" {r.seq}" if r.kind == "patrol" else "")
        window = f"{timezone.localtime(r.window_start):%H:%M}–{timezone.localtime(r.window_end):%H:%M}"
        if r.done_at:
            status = _("按时") if r.on_time else _("逾期")
        else:
            status = str(r.get_status_display())
        who = getattr(getattr(r.done_by, "staff_profile", None), "full_name", "") if r.done_by else ""
        done = f"{timezone.localtime(r.done_at):%H:%M}" if r.done_at else "—"
        for w, v in zip(widths, [label, window, status, done, who or "—"], strict=True):
            pdf.cell(w, 9, str(v), border=1, align="C")
        pdf.ln()
    pdf.ln(10)
    if sheet:
        name = getattr(
            getattr(sheet.signed_by, "staff_profile", None), "full_name", sheet.signed_by.get_username()
        )
        pdf.cell(
            0,
            8,
            _("值班主管签字：%(name)s  %(at)s")
            % {"name": name, "at": f"{timezone.localtime(sheet.signed_at):%Y-%m-%d %H:%M}"},
        )
    else:
        pdf.cell(0, 8, _("值班主管签字：________________"))
    return bytes(pdf.output())
