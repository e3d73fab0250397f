"""CMP-1: the 《投诉受理回执》 carries the computed deadlines and its Chinese text is really rendered."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from complaints.pdf import receipt_pdf
from complaints.receipt import complaint_receipt_data
from tests.complaints.pdftext import embedded_font, pdf_text

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_receipt_pdf_states_number_channel_and_computed_deadlines(world, intake, time_machine):
    accepted = datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
    time_machine.move_to(accepted, tick=False)
    complaint = intake()
    data = complaint_receipt_data(complaint=complaint)
    assert data["contact_deadline"] == accepted + timedelta(hours=2)
    assert data["feedback_deadline"] == accepted + timedelta(hours=24)
    text = pdf_text(receipt_pdf(data))
    assert "投诉受理回执" in text
    assert complaint.number in text
    assert "2026年03月02日 09:30" in text  # acceptance time
    assert "2026年03月02日 11:30 前" in text  # first contact: 2 h (CMP-2.1)
    assert "2026年03月03日 09:30 前" in text  # general solution: 24 h
    assert "现场投诉窗口" in text and "0755-10086000" in text
    assert "13800138001" not in text and "138****8001" in text  # the phone is masked on paper too


@pytest.mark.django_db
def test_complex_receipt_promises_72h_progress(world, intake, time_machine):
    accepted = datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
    time_machine.move_to(accepted, tick=False)
    complaint = intake(demand="合约机违约金纠纷,营业员办错了合约", business_type=world["complex"])
    text = pdf_text(receipt_pdf(complaint_receipt_data(complaint=complaint)))
    assert "处理进度反馈时限" in text and "2026年03月05日 09:30 前" in text


@pytest.mark.django_db
def test_receipt_embeds_a_cjk_font_with_real_glyphs(world, intake):
    """The Chinese is drawn with glyphs from an embedded CJK font, not boxes from a core font."""
    pdf = receipt_pdf(complaint_receipt_data(complaint=intake()))
    assert b"/FontFile2" in pdf and b"/ToUnicode" in pdf
    font = embedded_font(pdf)
    assert font is not None
    from fontTools.pens.boundsPen import BoundsPen

    cmap, glyphs = font.getBestCmap(), font.getGlyphSet()
    for ch in "投诉受理回执":
        pen = BoundsPen(glyphs)
        glyphs[cmap[ord(ch)]].draw(pen)
        assert pen.bounds is not None, ch  # a real outline (simple or composite), not an empty .notdef


def test_missing_font_fails_with_a_clear_error(settings, tmp_path):
    from complaints.pdf import find_cjk_font

    settings.TINGWU_CJK_FONT = str(tmp_path / "none.ttf")
    with pytest.raises(ImproperlyConfigured, match="TINGWU_CJK_FONT"):
        find_cjk_font()
