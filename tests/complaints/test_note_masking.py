"""Issue 10 §5 (BIZ-3): a phone or ID number typed into a free-text note (contact, 备注, related reference) is masked
for a reader without ``pi.reveal`` — on the page and in the API's ``events[].note`` — like the phone field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaints import services as s

pytestmark = pytest.mark.django_db
PHONE_IN_NOTE = "客户另留备用电话13912345678,身份证110105194912310021"


def test_notes_are_masked_for_a_clerk_without_reveal_right(client, world, intake):
    c = intake(related_reference="13912345678")
    s.complaint_contact(complaint=c, actor=world["supervisor_a"], note=PHONE_IN_NOTE)
    client.force_login(world["clerk_a"])
    page = client.get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert "13912345678" not in page and "139****5678" in page
    assert "110105194912310021" not in page
    events = client.get(f"/api/v1/complaints/{c.pk}").json()["events"]
    notes = " ".join(e["note"] or "" for e in events)
    assert "13912345678" not in notes and "139****5678" in notes
