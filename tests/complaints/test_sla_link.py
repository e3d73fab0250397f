"""The due-soon board and deadline notices name a case by its number (no PI) and link to it."""

from __future__ import annotations

import pytest

from complaints.models import Complaint
from consultations.models import Consultation


@pytest.mark.django_db
def test_complaint_and_consultation_give_the_sla_board_a_number_and_a_link():
    complaint = Complaint(pk=7, number="TS-H-20261125-0001")
    consultation = Consultation(pk=8, number="ZX-H-20261125-0001")
    assert complaint.sla_label == "TS-H-20261125-0001"
    assert complaint.get_absolute_url() == "/complaints/7/"
    assert consultation.sla_label == "ZX-H-20261125-0001"
    assert consultation.get_absolute_url() == "/consultations/8/"
