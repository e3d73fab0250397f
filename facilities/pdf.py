"""Printable documents (ENV-2.2, ENV-4): the A4 maintenance-notice poster beside a broken device (drawn by the
floor's one sign template, ENV-3) and the day's cleaning sheet, with the CJK font the receipts use (complaints/pdf.py)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.pdf import FONT_FAMILY, find_cjk_font
from facilities.services.faults import MAINTENANCE_NOTICE
from floor.signs import sign_pdf


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
    """A4, the one sign template (ENV-3) in its alert tone: 「设备维护中」 large, the standard words (ENV-2.2), then
    the device, where it is and since when."""
    facility = fault.facility
    when = timezone.localtime(fault.confirmed_at or fault.reported_at).strftime("%Y-%m-%d %H:%M")
    return sign_pdf(
        hall_name=facility.hall.name,
        zone_name=facility.zone.name if facility.zone_id else "",
        title=_("设备维护中"),
        text=MAINTENANCE_NOTICE,
        lines=[
            f"{facility.label}({facility.asset_code})",
            facility.location,
            when,
            _("给您带来不便，敬请谅解"),
        ],
        tone="alert",
    )


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
