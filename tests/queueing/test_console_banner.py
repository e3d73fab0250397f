"""The counter console shows the floor's emergency banner (STF-3.2)."""

from __future__ import annotations

from django.urls import reverse


def test_console_shows_the_emergency_banner_while_an_incident_is_open(client, floor):
    """STF-3.2: clerks see the emergency notice on their console."""
    from floor.services import incident_declare

    client.force_login(floor["clerk_a"])
    url = reverse("queueing:console", args=[floor["c1"].pk])
    assert "应急模式" not in client.get(url).content.decode()
    incident_declare(user=floor["supervisor_a"], hall=floor["hall"], kind="system_failure", minutes=10)
    body = client.get(url).content.decode()
    assert 'id="floor-staff-banner"' in body and "应急模式" in body
    assert "系统临时维护，预计10分钟后恢复" in body
