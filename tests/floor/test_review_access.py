"""Review findings on floor access: the incident list is for those who run emergencies (STF-3.2)."""

from __future__ import annotations


def test_clerk_cannot_read_the_incident_history_over_the_api(client, world):
    """STF-3.2: managers (emergency.declare) see the list, as on the page."""
    client.force_login(world["clerk_a"])
    r = client.get("/api/v1/floor/emergency/history", {"hall_id": world["hall_a"].pk})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    client.force_login(world["manager_a"])
    assert client.get("/api/v1/floor/emergency/history", {"hall_id": world["hall_a"].pk}).status_code == 200
