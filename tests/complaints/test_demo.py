"""The demo gives the complaint pages content: a dozen complaints over two months, consultations, hot spots."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints.analysis import monthly_hotspots, previous_month
from complaints.models import Complaint, Status
from consultations.models import Consultation


@pytest.mark.django_db
def test_demo_loads_complaints_and_consultations_idempotently():
    call_command("demo", "--quiet")
    call_command("demo", "--quiet")
    assert Complaint.objects.count() == 13
    assert Complaint.objects.filter(status=Status.CLOSED).count() == 8
    assert Consultation.objects.count() == 6
    this_month = timezone.localdate().replace(day=1)
    combined = [
        monthly_hotspots(queryset=Complaint.objects.all(), month=m)
        for m in (this_month, previous_month(this_month))
    ]
    assert sum(d["total"] for d in combined) >= 8
    assert any(d["keywords"] for d in combined) and any(d["groups"] for d in combined)
