"""ENV-2.2 「自助终端故障时引导台不再引导客户前往」 and issue 11 §6 (the supervisor board's environment panel): a confirmed
fault on a self-service terminal or queue kiosk is on the greeter tablet (live: the bus event refreshes it) until it
is resolved; the board shows what is due now, overdue, open faults, notices up, guides assigned and today's rounds."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from facilities.models import FacilityKind
from facilities.selectors import board_summary, self_service_down
from facilities.services import fault_report, fault_resolve
from tests.facilities.conftest import make_facility

pytestmark = pytest.mark.django_db


@pytest.fixture
def terminals(world):
    hall, owner = world["hall_a"], world["manager_a"]
    return {
        "self": make_facility(hall, owner, kind=FacilityKind.SELF_SERVICE, label="自助终端2号"),
        "kiosk": make_facility(hall, owner, kind=FacilityKind.QUEUE_KIOSK, label="取号机1"),
        "water": make_facility(hall, owner, kind=FacilityKind.WATER, label="饮水机1"),
    }


def _greeter_html(world, user):
    request = RequestFactory().get("/")
    request.user = user
    tpl = Template("{% load facilities %}{% facilities_greeter hall %}")
    return tpl.render(Context({"hall": world["hall_a"], "request": request}))


def test_env22_self_service_terminal_down_is_on_the_greeter_tablet_until_resolved(
    world, terminals, fresh_bus
):
    """ENV-2.2: a confirmed self-service fault tells the greeter not to send customers there; resolved, it goes."""
    assert "暂停使用" not in _greeter_html(world, world["greeter_a"])
    fault_report(facility=terminals["water"], reported_by=world["clerk_a"], description="漏水")
    assert self_service_down(hall=world["hall_a"]) == []  # a water dispenser is not a self-service device
    fault = fault_report(facility=terminals["self"], reported_by=world["clerk_a"], description="屏幕无反应")
    html = _greeter_html(world, world["greeter_a"])
    assert "请勿引导客户前往" in html and "自助终端2号" in html
    assert "取号机1" not in html
    fault_resolve(user=world["supervisor_a"], fault=fault, resolution="重启")
    assert "暂停使用" not in _greeter_html(world, world["greeter_a"])


def test_env22_suspected_only_is_not_announced_to_the_greeter(world, terminals):
    from facilities.models import Fault, FaultStatus

    Fault.objects.create(
        hall=world["hall_a"],
        facility=terminals["kiosk"],
        status=FaultStatus.SUSPECTED,
        source="device_silent",
    )
    assert self_service_down(hall=world["hall_a"]) == []


def test_env22_greeter_page_embeds_the_live_fragment(client, world, terminals):
    client.force_login(world["greeter_a"])
    quiet = client.get(reverse("floor:greeter", args=[world["hall_a"].pk])).content.decode()
    # Nothing down: the live fragment stays (it polls) but draws no empty panel on the tablet.
    assert 'class="facilities-greeter" id="facilities-greeter"' in quiet
    fault_report(facility=terminals["kiosk"], reported_by=world["clerk_a"], description="不出票")
    client.force_login(world["greeter_a"])
    page = client.get(reverse("floor:greeter", args=[world["hall_a"].pk])).content.decode()
    assert "取号机1" in page and "请勿引导客户前往" in page
    url = reverse("facilities:greeter_fragment", args=[world["hall_a"].pk])
    assert (
        f'hx-get="{url}"' in page and "data-floor-events" in page
    )  # live.js refreshes it on facility.* events
    assert "取号机1" in client.get(url).content.decode()


@pytest.mark.parametrize("persona, status", [("greeter_a", 200), ("clerk_b", 404), ("auditor", 403)])
def test_env22_greeter_fragment_permissions(client, world, persona, status):
    client.force_login(world[persona])
    assert client.get(reverse("facilities:greeter_fragment", args=[world["hall_a"].pk])).status_code == status


def test_board_panel_counts_faults_notices_guides_and_links_the_page(client, world, terminals):
    """Issue 11 §6: the supervisor board shows the environment at a glance and links to 环境与设施."""
    empty = board_summary(hall=world["hall_a"])
    assert (empty["faults"], empty["notices"], empty["rounds_total"]) == (0, 0, 0)
    fault_report(facility=terminals["self"], reported_by=world["clerk_a"], description="黑屏")
    b = board_summary(hall=world["hall_a"])
    assert (b["faults"], b["notices"], b["self_service_down"]) == (1, 1, 1)
    assert b["guides"] in (0, 1)  # a guide when someone is on duty by the roster
    client.force_login(world["supervisor_a"])
    board = client.get(reverse("floor:board", args=[world["hall_a"].pk])).content.decode()
    assert "环境与设施" in board and reverse("facilities:hall", args=[world["hall_a"].pk]) in board
    assert 'data-k="faults">1<' in board
    frag = client.get(reverse("facilities:board_fragment", args=[world["hall_a"].pk]))
    assert frag.status_code == 200 and 'data-k="notices">1<' in frag.content.decode()
    client.force_login(world["clerk_a"])
    assert client.get(reverse("facilities:board_fragment", args=[world["hall_a"].pk])).status_code == 403
