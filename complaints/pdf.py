"""PDF documents for the customer (CMP-1 receipt, CMP-3 written result), with an embedded CJK font.

fpdf2's core fonts have no Chinese glyphs, so a CJK TrueType font is embedded (subset). ``settings.TINGWU_CJK_FONT``
wins; otherwise the first font found in a short list of Debian paths. No font → a clear error, never boxes.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.i18n import in_ui_language

# (path, index inside a .ttc collection)
KNOWN_FONTS: list[tuple[str, int]] = [
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # 2 = Noto Sans CJK SC
    ("/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
]
FONT_FAMILY = "TingwuCJK"
# fontTools logs every subsetting step at INFO; that is noise in the application log.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def find_cjk_font() -> tuple[str, int]:
    configured = getattr(settings, "TINGWU_CJK_FONT", None)
    if configured:
        path, _sep, index = configured.partition("#")
        if not Path(path).is_file():
            raise ImproperlyConfigured(f"TINGWU_CJK_FONT={path!r} does not exist")
        return path, int(index or 0)
    for path, index in KNOWN_FONTS:
        if Path(path).is_file():
            return path, index
    raise ImproperlyConfigured(
        "No CJK font found for PDF receipts: install fonts-wqy-microhei (or fonts-noto-cjk) "
        "or set TINGWU_CJK_FONT to a TTF/TTC file."
    )


def _document(title: str):
    from fpdf import FPDF

    path, index = find_cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Tingwu")
    pdf.add_font(FONT_FAMILY, "", path, collection_font_number=index)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=18)
    pdf.cell(0, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    return pdf


def _rows(pdf, rows) -> None:
    """A two-column table whose rows grow with the longer cell (labels and values both wrap)."""
    pdf.set_font(FONT_FAMILY, size=11)
    label_w, line_h, pad = 50, 6.5, 1.5
    width = pdf.w - pdf.l_margin - pdf.r_margin
    value_w = width - label_w
    for label, value in rows:
        label, value = str(label), str(value or "—")
        n_label = len(pdf.multi_cell(label_w - 2, line_h, label, dry_run=True, output="LINES"))
        n_value = len(pdf.multi_cell(value_w - 2, line_h, value, dry_run=True, output="LINES"))
        height = max(n_label, n_value) * line_h + 2 * pad
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_xy(pdf.l_margin + 1, y + pad)
        pdf.multi_cell(label_w - 2, line_h, label)
        pdf.set_xy(pdf.l_margin + label_w + 1, y + pad)
        pdf.multi_cell(value_w - 2, line_h, value)
        pdf.rect(pdf.l_margin, y, label_w, height)
        pdf.rect(pdf.l_margin + label_w, y, value_w, height)
        pdf.set_xy(pdf.l_margin, y + height)


def _fmt(dt) -> str:
    return (
        timezone.localtime(dt).strftime(in_ui_language("%Y年%m月%d日 %H:%M", "%Y-%m-%d %H:%M")) if dt else "—"
    )


def receipt_pdf(data: dict) -> bytes:
    """The 《投诉受理回执》 from ``complaint_receipt_data``."""
    pdf = _document(_("投诉受理回执"))
    pdf.set_font(FONT_FAMILY, size=10)
    pdf.cell(0, 6, f"{data['hall_name']}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _rows(
        pdf,
        [
            (_("受理编号"), data["number"]),
            (_("受理时间"), _fmt(data["accepted_at"])),
            (_("受理渠道"), data["channel"]),
            (_("投诉人"), f"{data['complainant']}  {data['phone']}"),
            (_("业务类型"), data["business_type"]),
            (_("投诉分类"), data["kind"]),
            (_("投诉内容摘要"), data["summary"]),
            (_("值班主管联系您的时间"), _("%(deadline)s 前") % {"deadline": _fmt(data["contact_deadline"])}),
            (data["feedback_label"], _("%(deadline)s 前") % {"deadline": _fmt(data["feedback_deadline"])}),
            (_("投诉电话"), data["complaint_phone"]),
            (_("企业微信投诉入口"), data["complaint_wecom"]),
            (_("现场投诉窗口"), data["complaint_window"]),
        ],
    )
    pdf.ln(6)
    pdf.set_font(FONT_FAMILY, size=10)
    pdf.multi_cell(
        0,
        6,
        _(
            "您的投诉已受理。值班主管将在上述时间前与您联系确认情况，并在反馈时限前告知处理结果或进展。"
            "请妥善保管本回执，凭受理编号查询处理进度。"
        ),
    )
    pdf.ln(8)
    pdf.cell(0, 6, _("受理单位（盖章）：%(hall)s") % {"hall": data["hall_name"]}, align="R")
    return bytes(pdf.output())


def result_letter_pdf(complaint) -> bytes:
    """CMP-3: the written result — cause, solution, compensation and follow-up commitment."""
    pdf = _document(_("投诉处理结果告知书"))
    none = _("无")
    rows = [
        (_("受理编号"), complaint.number),
        (_("受理时间"), _fmt(complaint.accepted_at)),
        (_("投诉人"), complaint.masked_name),
        (_("原因"), complaint.cause),
        (_("解决方案"), complaint.solution),
        (_("补偿"), complaint.compensation or none),
        (_("后续承诺"), complaint.follow_up or none),
    ]
    if complaint.company_at_fault:
        rows.append((_("致歉"), _("因我司原因给您带来不便，我们深表歉意，并承担相应责任。")))
    else:
        rows.append((_("政策依据"), complaint.policy_basis))
        rows.append((_("替代方案"), complaint.alternative))
    rows.append((_("咨询电话"), complaint.hall.complaint_phone))
    _rows(pdf, rows)
    pdf.ln(8)
    pdf.set_font(FONT_FAMILY, size=10)
    pdf.cell(0, 6, f"{complaint.hall.name}  {_fmt(complaint.solved_at)}", align="R")
    return bytes(pdf.output())
