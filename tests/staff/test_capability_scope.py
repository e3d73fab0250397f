"""A right held in one hall does not open another hall where the person has a lesser role (STF-1, BIZ-3).

A manager of hall A who also covers as clerk in hall B may read A's outbox and deadline board, not B's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from halls.models import Zone
from notify.services import notification_enqueue
from sla.models import Target
from sla.services import clock_start
from staff.models import HallRole
from tests import factories as f

pytestmark = pytest.mark.django_db

CTX = {
    "hall_name": "甲营业厅",
    "number": "TS-1",
    "accepted_at": "2026-03-02 10:00",
    "contact_deadline": "2026-03-02 12:00",
    "feedback_deadline": "2026-03-03 10:00",
    "hall_phone": "0755-10086000",
}


@pytest.fixture
def mixed(world):
    """Manager of hall A, clerk of hall B (a clerk has neither sla.view nor notify.view)."""
    return f.user(
        "mixed", hall_roles=[(world["hall_a"], HallRole.HALL_MANAGER), (world["hall_b"], HallRole.CLERK)]
    )


def test_hall_ids_with_keeps_only_halls_granting_the_capability(world, mixed):
    from staff.access import hall_ids_with

    assert hall_ids_with(mixed, "notify.view") == {world["hall_a"].pk}
    assert hall_ids_with(mixed, "catalog.view") == {world["hall_a"].pk, world["hall_b"].pk}
    assert hall_ids_with(world["hq"], "notify.view") is None
    assert hall_ids_with(world["clerk_a"], "notify.view") == set()


def test_for_user_with_capability_filters_rows(world, mixed):
    za = Zone.objects.create(hall=world["hall_a"], kind="waiting", name="A")
    Zone.objects.create(hall=world["hall_b"], kind="waiting", name="B")
    assert set(Zone.objects.for_user(mixed)) == set(
        Zone.objects.filter(hall__in=[world["hall_a"], world["hall_b"]])
    )
    assert list(Zone.objects.for_user(mixed, "notify.view")) == [za]


def test_outbox_hides_hall_where_user_lacks_notify_view(client, world, mixed):
    a = notification_enqueue(
        hall=world["hall_a"],
        channel="sms",
        recipient="13812345678",
        template="complaint_receipt_sms",
        context=CTX,
        dedupe_key="a",
    )
    notification_enqueue(
        hall=world["hall_b"],
        channel="sms",
        recipient="13987654321",
        template="complaint_receipt_sms",
        context=CTX,
        dedupe_key="b",
    )
    client.force_login(mixed)
    page = client.get(reverse("notify:outbox"))
    assert [n.pk for n in page.context["page"]] == [a.pk]
    api = client.get("/api/v1/notifications/")
    assert api.status_code == 200
    assert [n["id"] for n in api.json()["items"]] == [a.pk]
    # Naming hall B explicitly: visible hall, missing right -> 403.
    assert client.get("/api/v1/notifications/", {"hall_id": world["hall_b"].pk}).status_code == 403


def test_board_hides_hall_where_user_lacks_sla_view(client, world, mixed):
    now = timezone.now()
    a = clock_start(
        subject=world["hall_a"],
        target=Target.COMPLAINT_FIRST_CONTACT,
        hall=world["hall_a"],
        started_at=now - timedelta(hours=3),
    )
    b = clock_start(
        subject=world["hall_b"],
        target=Target.COMPLAINT_FIRST_CONTACT,
        hall=world["hall_b"],
        started_at=now - timedelta(hours=3),
    )
    client.force_login(mixed)
    page = client.get(reverse("sla:board"))
    assert [r["clock"].pk for r in page.context["rows"]] == [a.pk]
    api = client.get("/api/v1/sla/board")
    assert [c["id"] for c in api.json()] == [a.pk]
    clocks = client.get(
        "/api/v1/sla/clocks", {"subject_type": "halls.hall", "subject_id": world["hall_b"].pk}
    )
    assert clocks.status_code == 200 and b.pk not in [c["id"] for c in clocks.json()]


def test_audit_log_hides_hall_where_user_is_not_an_auditor(client, world):
    """BIZ-3: the PI access audit of hall C stays hidden from someone who is only a clerk there."""
    from privacy.models import PIAccessLog
    from staff.models import RegionRole

    person = f.user(
        "auditor_clerk",
        hall_roles=[(world["hall_c"], HallRole.CLERK)],
        region_roles=[(world["region"], RegionRole.AUDITOR)],
    )
    seen = PIAccessLog.objects.create(
        user=world["manager_a"],
        hall=world["hall_a"],
        subject_type="privacy.customer",
        subject_id="1",
        field="mobile",
        reason="回访",
    )
    PIAccessLog.objects.create(
        user=world["manager_a"],
        hall=world["hall_c"],
        subject_type="privacy.customer",
        subject_id="2",
        field="mobile",
        reason="回访",
    )
    client.force_login(person)
    response = client.get(reverse("privacy:audit"))
    assert response.status_code == 200
    assert [log.pk for log in response.context["logs"]] == [seen.pk]
    assert world["hall_c"] not in list(response.context["form"].fields["hall"].queryset)
