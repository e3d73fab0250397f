"""Issue 10 §3: the PI access audit list names the record (with a link), the field in Chinese and the person —
never ``complaints.complaint#14``, ``contact_phone`` or a bare user name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from privacy.models import PIAccessLog

pytestmark = pytest.mark.django_db


def test_audit_list_shows_record_label_field_name_and_person(client, world, intake):
    c = intake()
    viewer = world["supervisor_a"]
    PIAccessLog.objects.create(
        user=viewer,
        hall=world["hall_a"],
        subject_type="complaints.complaint",
        subject_id=str(c.pk),
        field="contact_phone",
        reason="回访客户",
    )
    client.force_login(world["auditor"])
    body = client.get(reverse("privacy:audit")).content.decode()
    assert f'href="{c.get_absolute_url()}"' in body and c.number in body
    assert "联系电话" in body and "contact_phone" not in body
    assert f"complaints.complaint#{c.pk}" not in body
    assert viewer.staff_profile.full_name in body
