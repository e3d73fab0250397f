"""Announcements (ENV-3) and emergency mode (STF-3.2): window, notices on kiosk/display, permissions, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from floor import selectors
from floor.models import Announcement, AnnouncementKind, Incident, IncidentKind, IncidentLog
from floor.services import announcement_publish, incident_declare, incident_end, incident_extend
from lib.errors import Conflict, Forbidden, NotFound, ServiceError

pytestmark = pytest.mark.django_db


def _publish(world, **kw):
    args = {
        "user": world["manager_a"],
        "hall": world["hall_a"],
        "kind": AnnouncementKind.NORMAL,
        "title": "营业时间调整",
        "body": "本周日营业时间 10:00–16:00",
    }
    args.update(kw)
    return announcement_publish(**args)


def test_announcement_is_shown_only_inside_its_window(world, time_machine):
    """ENV-3: a notice appears at its effective time and disappears at its end."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    _publish(world, starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=3))
    hall = world["hall_a"]
    assert selectors.effective_announcements(hall=hall) == []
    time_machine.move_to(now + timedelta(hours=2), tick=False)
    assert [a.title for a in selectors.effective_announcements(hall=hall)] == ["营业时间调整"]
    time_machine.move_to(now + timedelta(hours=3), tick=False)
    assert selectors.effective_announcements(hall=hall) == []


def test_region_wide_announcement_reaches_every_hall_of_the_region_only(world):
    announcement_publish(
        user=world["hq"], region=world["region"], kind=AnnouncementKind.NORMAL, title="全区通知", body="内容"
    )
    assert [a.title for a in selectors.effective_announcements(hall=world["hall_b"])] == ["全区通知"]
    assert selectors.effective_announcements(hall=world["hall_c"]) == []


def test_hall_manager_cannot_publish_region_wide(world):
    with pytest.raises(Forbidden):
        announcement_publish(
            user=world["manager_a"], region=world["region"], kind=AnnouncementKind.NORMAL, title="t", body="b"
        )


def test_temporary_announcement_needs_a_consultation_channel(world):
    """ENV-3: temporary notices state the consultation channel."""
    with pytest.raises(ServiceError) as exc:
        _publish(world, kind=AnnouncementKind.BUSINESS_CHANGE)
    assert exc.value.code == "consult_channel_required" and exc.value.field == "consult_phone"
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    "kw, code",
    [
        ({"title": " "}, "title_required"),
        ({"body": ""}, "body_required"),
        ({"kind": "banner"}, "invalid_kind"),
        ({"ends_at": timezone.now() - timedelta(days=1)}, "window_invalid"),
    ],
)
def test_bad_announcement_input_is_refused_and_nothing_saved(world, kw, code):
    with pytest.raises(ServiceError) as exc:
        _publish(world, **kw)
    assert exc.value.code == code
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    "persona, error", [("clerk_a", Forbidden), ("supervisor_a", Forbidden), ("clerk_b", NotFound)]
)
def test_only_the_hall_manager_publishes(world, persona, error):
    with pytest.raises(error):
        _publish(world, user=world[persona])


def test_emergency_notice_computes_the_minutes_and_is_logged(world, time_machine):
    """STF-3.2: 「系统临时维护，预计10分钟后恢复，您可先在等候区稍作休息」, start and end logged with the actor."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    incident = incident_declare(
        user=world["supervisor_a"], hall=world["hall_a"], kind=IncidentKind.SYSTEM_FAILURE, minutes=10
    )
    assert incident.customer_notice() == "系统临时维护，预计10分钟后恢复，您可先在等候区稍作休息"
    time_machine.move_to(now + timedelta(minutes=6, seconds=30), tick=False)
    assert incident.customer_notice() == "系统临时维护，预计4分钟后恢复，您可先在等候区稍作休息"
    incident_extend(user=world["supervisor_a"], incident=incident, minutes=15)
    incident_end(user=world["manager_a"], incident=incident, note="已恢复")
    log = list(IncidentLog.objects.filter(incident=incident).values_list("action", "actor__username"))
    assert log == [("declared", "supervisor_a"), ("extended", "supervisor_a"), ("ended", "manager_a")]
    with pytest.raises(Conflict):
        incident_end(user=world["manager_a"], incident=incident)


def test_second_incident_while_one_is_open_is_a_conflict(world):
    incident_declare(user=world["supervisor_a"], hall=world["hall_a"], kind=IncidentKind.DISPUTE, minutes=5)
    with pytest.raises(Conflict) as exc:
        incident_declare(
            user=world["supervisor_a"], hall=world["hall_a"], kind=IncidentKind.SYSTEM_FAILURE, minutes=5
        )
    assert exc.value.code == "incident_already_open"
    assert Incident.objects.count() == 1


@pytest.mark.parametrize("minutes", [0, -5, 481, "ten", None])
def test_bad_recovery_minutes_are_refused(world, minutes):
    with pytest.raises(ServiceError) as exc:
        incident_declare(
            user=world["supervisor_a"],
            hall=world["hall_a"],
            kind=IncidentKind.SYSTEM_FAILURE,
            minutes=minutes,
        )
    assert exc.value.field == "minutes"
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    "persona, error",
    [("clerk_a", Forbidden), ("greeter_a", Forbidden), ("clerk_b", NotFound), ("auditor", Forbidden)],
)
def test_only_duty_supervisor_or_manager_declares(world, persona, error):
    with pytest.raises(error):
        incident_declare(
            user=world[persona], hall=world["hall_a"], kind=IncidentKind.SYSTEM_FAILURE, minutes=10
        )


def test_kiosk_partial_shows_emergency_notice_and_alternatives(world):
    hall = world["hall_a"]
    html = Template('{% include "floor/_kiosk_notices.html" %}').render(Context({"hall": hall}))
    assert "系统临时维护" not in html
    incident_declare(user=world["supervisor_a"], hall=hall, kind=IncidentKind.SYSTEM_FAILURE, minutes=10)
    _publish(world, kind=AnnouncementKind.SYSTEM_UPGRADE, consult_phone="10086", starts_at=timezone.now())
    html = Template('{% include "floor/_kiosk_notices.html" %}').render(Context({"hall": hall}))
    assert "系统临时维护，预计10分钟后恢复，您可先在等候区稍作休息" in html
    assert "自助服务终端" in html and "预约" in html
    assert "floor-announcement-temp" in html and "10086" in html
    other = Template('{% include "floor/_kiosk_notices.html" %}').render(Context({"hall": world["hall_b"]}))
    assert "系统临时维护" not in other


def test_staff_banner_tag_shows_the_incident_to_clerks(world):
    hall = world["hall_a"]
    tpl = Template("{% load floor %}{% floor_staff_banner hall %}")
    assert "应急模式" not in tpl.render(Context({"hall": hall}))
    incident_declare(user=world["supervisor_a"], hall=hall, kind=IncidentKind.SYSTEM_FAILURE, minutes=10)
    html = tpl.render(Context({"hall": hall}))
    assert "应急模式" in html and "预计10分钟后恢复" in html


def test_display_state_json_carries_incident_and_announcements(client, world, display_token):
    hall = world["hall_a"]
    incident_declare(user=world["supervisor_a"], hall=hall, kind=IncidentKind.SYSTEM_FAILURE, minutes=10)
    _publish(world)
    data = client.get(
        reverse("floor:display_state", args=[hall.pk]), headers={"X-Device-Token": display_token}
    ).json()
    assert data["incident"]["notice"].startswith("系统临时维护，预计10分钟后恢复")
    assert [a["title"] for a in data["announcements"]] == ["营业时间调整"]


def test_kiosk_notices_endpoint_refuses_other_hall_token(client, world, display_token_b, kiosk_token):
    url = reverse("floor:kiosk_notices", args=[world["hall_a"].pk])
    assert client.get(url, headers={"X-Device-Token": display_token_b}).status_code == 403
    assert client.get(url, headers={"X-Device-Token": kiosk_token}).status_code == 200


def test_display_page_pairs_with_a_posted_token_then_redirects(client, world, display_token, display_token_b):
    url = reverse("floor:display", args=[world["hall_a"].pk])
    pair = reverse("floor:display_pair", args=[world["hall_a"].pk])
    assert client.get(url).status_code == 401  # pairing form
    assert client.post(pair, {"token": display_token_b}).status_code == 403
    response = client.post(pair, {"token": display_token})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url)
    assert page.status_code == 200 and "display-config" in page.content.decode()


# --- pages ----------------------------------------------------------------------------------------------------


def test_manager_publishes_through_the_page_and_errors_keep_the_input(client, world):
    client.force_login(world["manager_a"])
    url = reverse("floor:announcements", args=[world["hall_a"].pk])
    bad = client.post(url, {"kind": "business_change", "title": "携号转网暂停", "body": "系统升级"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "临时公告须注明咨询渠道" in html and "携号转网暂停" in html
    ok = client.post(
        url,
        {
            "kind": "business_change",
            "title": "携号转网暂停",
            "body": "系统升级",
            "consult_phone": "10086",
            "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert ok.status_code == 302
    assert Announcement.objects.get().consult_phone == "10086"


@pytest.mark.parametrize(
    "persona, status", [("manager_a", 200), ("supervisor_a", 403), ("clerk_b", 404), ("hq", 200)]
)
def test_announcement_page_permissions(client, world, persona, status):
    client.force_login(world[persona])
    assert client.get(reverse("floor:announcements", args=[world["hall_a"].pk])).status_code == status


@pytest.mark.parametrize(
    "persona, status", [("supervisor_a", 200), ("manager_a", 200), ("clerk_a", 403), ("clerk_b", 404)]
)
def test_emergency_page_permissions(client, world, persona, status):
    client.force_login(world[persona])
    assert client.get(reverse("floor:emergency", args=[world["hall_a"].pk])).status_code == status


def test_supervisor_declares_and_ends_from_the_page(client, world):
    client.force_login(world["supervisor_a"])
    url = reverse("floor:emergency", args=[world["hall_a"].pk])
    bad = client.post(url, {"action": "declare", "kind": "system_failure", "minutes": "0"})
    assert bad.status_code == 400 and not Incident.objects.exists()
    assert (
        client.post(url, {"action": "declare", "kind": "system_failure", "minutes": "10"}).status_code == 302
    )
    page = client.get(url).content.decode()
    assert "系统临时维护，预计10分钟后恢复" in page
    assert client.post(url, {"action": "end", "note": "恢复"}).status_code == 302
    assert Incident.objects.get().ended_at is not None
