"""Floor API: devices read their own hall only; staff act with their capabilities; errors carry stable codes."""

from __future__ import annotations

import pytest
from django.utils import timezone

from floor.models import Announcement, Incident

pytestmark = pytest.mark.django_db

BASE = "/api/v1/floor"


def test_device_reads_its_halls_announcements_and_emergency(client, world, display_token, fresh_bus):
    hall = world["hall_a"]
    client.force_login(world["manager_a"])
    r = client.post(
        f"{BASE}/announcements",
        {
            "hall_id": hall.pk,
            "kind": "system_upgrade",
            "title": "系统升级",
            "body": "今晚升级",
            "starts_at": timezone.now().isoformat(),
            "consult_phone": "10086",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    client.logout()
    auth = {"Authorization": f"Bearer {display_token}"}
    items = client.get(f"{BASE}/announcements?hall_id={hall.pk}", headers=auth).json()
    assert [(a["title"], a["temporary"]) for a in items] == [("系统升级", True)]
    assert client.get(f"{BASE}/emergency?hall_id={hall.pk}", headers=auth).json() is None


def test_device_of_another_hall_is_refused(client, world, display_token_b):
    r = client.get(
        f"{BASE}/announcements?hall_id={world['hall_a'].pk}", headers={"X-Device-Token": display_token_b}
    )
    assert r.status_code == 403 and r.json()["code"] == "device_wrong_hall"


def test_device_cannot_publish(client, world, display_token):
    r = client.post(
        f"{BASE}/announcements",
        {"hall_id": world["hall_a"].pk, "kind": "normal", "title": "t", "body": "b"},
        content_type="application/json",
        headers={"X-Device-Token": display_token},
    )
    assert r.status_code in (401, 403)
    assert not Announcement.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_supervisor_declares_and_ends_over_the_api(client, world, fresh_bus):
    hall = world["hall_a"]
    client.force_login(world["supervisor_a"])
    r = client.post(
        f"{BASE}/emergency",
        {"hall_id": hall.pk, "kind": "system_failure", "minutes": 10},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert r.json()["notice"] == "系统临时维护，预计10分钟后恢复，您可先在等候区稍作休息"
    again = client.post(
        f"{BASE}/emergency",
        {"hall_id": hall.pk, "kind": "dispute", "minutes": 5},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "incident_already_open"
    incident_id = r.json()["id"]
    assert (
        client.post(f"{BASE}/emergency/{incident_id}/end", {}, content_type="application/json").status_code
        == 200
    )
    # The screens were told twice (declared, ended), after commit.
    kinds = [e.kind for e in fresh_bus.replay(hall.pk, 0)[0]]
    assert kinds == ["emergency.changed", "emergency.changed"]


@pytest.mark.parametrize(
    "persona, payload, status, code",
    [
        ("clerk_a", {"kind": "system_failure", "minutes": 10}, 403, "forbidden"),
        ("clerk_b", {"kind": "system_failure", "minutes": 10}, 404, "not_found"),
        ("supervisor_a", {"kind": "system_failure", "minutes": 0}, 400, "minutes_out_of_range"),
        ("supervisor_a", {"kind": "meteor", "minutes": 10}, 422, "invalid_input"),
    ],
)
def test_emergency_bad_input_and_permissions(client, world, persona, payload, status, code):
    client.force_login(world[persona])
    r = client.post(
        f"{BASE}/emergency", {"hall_id": world["hall_a"].pk, **payload}, content_type="application/json"
    )
    assert r.status_code == status and r.json()["code"] == code
    assert not Incident.objects.exists()


def test_feed_replays_after_an_id_and_documents_the_sse_url(client, world, display_token, fresh_bus):
    hall = world["hall_a"]
    first = fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": "A001", "counter": 3})
    fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": "A002", "counter": 1})
    data = client.get(
        f"{BASE}/display/{hall.pk}/feed?after={first.id}", headers={"X-Device-Token": display_token}
    ).json()
    assert [e["data"]["number"] for e in data["events"]] == ["A002"]
    assert data["events_url"] == f"/floor/display/{hall.pk}/events" and not data["resync"]
    schema = client.get("/api/v1/openapi.json").json()
    assert (
        "text/event-stream" in schema["paths"]["/api/v1/floor/display/{hall_id}/feed"]["get"]["description"]
    )


@pytest.mark.django_db(transaction=True)
def test_display_test_needs_supervise(client, world, fresh_bus):
    hall = world["hall_a"]
    client.force_login(world["clerk_a"])
    assert client.post(f"{BASE}/display/{hall.pk}/test").status_code == 403
    client.force_login(world["supervisor_a"])
    assert client.post(f"{BASE}/display/{hall.pk}/test").status_code == 202
    assert fresh_bus.replay(hall.pk, 0)[0][0].kind == "display.test"


def test_incident_history_lists_the_halls_incidents_for_staff_only(client, world, display_token):
    from floor.models import IncidentKind
    from floor.services import incident_declare, incident_end

    hall = world["hall_a"]
    i = incident_declare(user=world["supervisor_a"], hall=hall, kind=IncidentKind.SYSTEM_FAILURE, minutes=10)
    incident_end(user=world["manager_a"], incident=i)
    client.force_login(world["manager_a"])
    rows = client.get(f"{BASE}/emergency/history?hall_id={hall.pk}").json()
    assert [(r["declared_by"], r["ended_by"]) for r in rows] == [("supervisor_a", "manager_a")]
    client.force_login(world["clerk_b"])
    assert client.get(f"{BASE}/emergency/history?hall_id={hall.pk}").status_code == 404
    client.logout()
    assert (
        client.get(
            f"{BASE}/emergency/history?hall_id={hall.pk}", headers={"X-Device-Token": display_token}
        ).status_code
        == 401
    )


def test_floor_index_shows_open_incidents(client, world):
    from django.urls import reverse

    from floor.models import IncidentKind
    from floor.services import incident_declare

    incident_declare(user=world["supervisor_a"], hall=world["hall_a"], kind=IncidentKind.DISPUTE, minutes=10)
    client.force_login(world["hq"])
    html = client.get(reverse("floor:index")).content.decode()
    assert "现场纠纷" in html and "乙营业厅" in html
