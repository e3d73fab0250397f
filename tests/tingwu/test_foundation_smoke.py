"""Smoke tests of the foundation: health, login page, demo load, standard in force."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from standard.services import standard_in_force


@pytest.mark.django_db
def test_healthz_reports_database_and_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] is True and body["version"]


@pytest.mark.django_db
def test_login_page_speaks_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "员工登录" in response.content.decode()


@pytest.mark.django_db
def test_demo_is_idempotent():
    from halls.models import Counter, Hall
    from privacy.models import Customer

    call_command("demo", quiet=True)
    counts = (Hall.objects.count(), Counter.objects.count(), Customer.objects.count())
    call_command("demo", quiet=True)
    assert counts == (Hall.objects.count(), Counter.objects.count(), Customer.objects.count())
    assert counts[0] == 3
    assert Counter.objects.filter(hall__code="SZ-NS-001").count() == 8


def test_standard_v1_in_force_gives_spec_numbers(standard_v1):
    """SUP-3: the spec's numbers come from the standard in force; BIZ-2.2 15/30, CMP-2.1 2/24/72."""
    s = standard_in_force()
    assert s["handling.basic_minutes"] == 15 and s["handling.complex_minutes"] == 30
    assert s["complaint.first_contact_hours"] == 2
    assert s["complaint.general_solution_hours"] == 24
    assert s["complaint.complex_progress_hours"] == 72
