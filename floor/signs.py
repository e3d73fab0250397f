"""The one sign template （ENV-3 「统一视觉规范」）： zone signs, business notices, tariff boards, temporary-announcement
posters and the facilities maintenance notice all print from ``sign_pdf`` — the hall's name and the zone in a band at
the top, the title large, the text, then the small lines (effective time, consultation channel, device). Two tones:
``standard`` (white page, brand-blue band) and ``alert`` （「红底白字」： the whole page red, every word white）， the same
colours as the screens (#0b5cad, #c8102e). Fonts are the receipts' CJK font (complaints/pdf.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.pdf import FONT_FAMILY, find_cjk_font

SIZES = ("A4", "A3")
TONES = ("standard", "alert")
BRAND = (11, 92, 173)
RED = (200, 16, 46)
INK = (29, 35, 41)
WHITE = (255, 255, 255)
# What fpdf2 writes into the page for those colours (the tests read the page to check the tone).
RED_FILL = "0.7843 0.0627 0.1804 rg"
BRAND_FILL = "0.0431 0.3608 0.6784 rg"
WHITE_TEXT = "1 1 1 rg"
# Every sign says which template drew it, in the document's subject.
TEMPLATE_ID = "tingwu-sign/1"

SIGN_KINDS = (
    ("zone_sign", gettext_lazy("功能区指示牌")),
    ("business_notice", gettext_lazy("业务须知")),
    ("tariff_board", gettext_lazy("资费公示牌")),
)


def template_mark(pdf: bytes) -> bool:
    return f"/Subject ({TEMPLATE_ID})".encode() in pdf


def _fit(pdf, text: str, width: float, max_height: float, sizes: Iterable[float], line: float) -> float:
    """The largest font size at which ``text`` fits in ``max_height`` (a sign is one page, never two)."""
    size = 10.0
    for size in sizes:
        pdf.set_font(FONT_FAMILY, size=size)
        lines = pdf.multi_cell(width, size * line, text, align="C", dry_run=True, output="LINES")
        if len(lines) * size * line <= max_height:
            return size
    return size


def sign_pdf(
    *,
    hall_name: str,
    title: str,
    text: str = "",
    zone_name: str = "",
    lines: Iterable[str] = (),
    size: str = "A4",
    tone: str = "standard",
) -> bytes:
    from fpdf import FPDF

    if size not in SIZES:
        raise ValueError(size)
    if tone not in TONES:
        raise ValueError(tone)
    path, index = find_cjk_font()
    pdf = FPDF(format=size)
    pdf.set_title(title)
    pdf.set_subject(TEMPLATE_ID)
    pdf.set_creator("Tingwu")
    pdf.add_font(FONT_FAMILY, "", path, collection_font_number=index)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()
    k = pdf.w / 210  # every measure is for A4 and scales with the paper
    alert = tone == "alert"
    ink = WHITE if alert else INK
    if alert:
        pdf.set_fill_color(*RED)
        pdf.rect(0, 0, pdf.w, pdf.h, style="F")
    # The band: hall name on the left, zone on the right.
    band = 24 * k
    pdf.set_fill_color(*(RED if alert else BRAND))
    pdf.rect(0, 0, pdf.w, band, style="F")
    pdf.set_text_color(*WHITE)
    pdf.set_font(FONT_FAMILY, size=18 * k)
    pdf.set_xy(14 * k, 0)
    pdf.cell(pdf.w - 28 * k, band, hall_name, align="L")
    if zone_name:
        pdf.set_xy(14 * k, 0)
        pdf.cell(pdf.w - 28 * k, band, zone_name, align="R")
    pdf.set_draw_color(*(WHITE if alert else BRAND))
    pdf.set_line_width(1.2 * k)
    pdf.line(14 * k, band + 4 * k, pdf.w - 14 * k, band + 4 * k)
    # The title, then the text, each at the largest size that fits.
    width = pdf.w - 36 * k
    pdf.set_text_color(*ink)
    title_size = _fit(pdf, title, width, 70 * k, [s * k for s in (64, 54, 44, 36, 30)], 0.5)
    pdf.set_xy(18 * k, band + 16 * k)
    pdf.multi_cell(width, title_size * 0.5, title, align="C")
    lines = [line for line in lines if line]
    footer_top = pdf.h - (22 + 9 * len(lines)) * k
    top = pdf.get_y() + 12 * k
    if text:
        text_size = _fit(
            pdf, text, width, footer_top - top - 8 * k, [s * k for s in (34, 28, 24, 20, 16, 13)], 0.6
        )
        pdf.set_xy(18 * k, top)
        pdf.multi_cell(width, text_size * 0.6, text, align="C")
    if lines:
        pdf.line(14 * k, footer_top, pdf.w - 14 * k, footer_top)
        pdf.set_font(FONT_FAMILY, size=15 * k)
        pdf.set_xy(14 * k, footer_top + 5 * k)
        for line in lines:
            pdf.set_x(14 * k)
            pdf.cell(pdf.w - 28 * k, 9 * k, line, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def announcement_poster_pdf(announcement, *, hall, size: str = "A4") -> bytes:
    """ENV-3: a temporary notice prints 「红底白字」 with its effective time and consultation channel."""
    channels = [str(c) for c in announcement.consult_channels()]
    return sign_pdf(
        hall_name=hall.name,
        title=announcement.title,
        text=announcement.body,
        lines=[
            str(announcement.effective_label()),
            _("咨询：%(channels)s") % {"channels": " / ".join(channels)} if channels else "",
        ],
        size=size,
        tone="alert" if announcement.is_temporary else "standard",
    )
