"""API (/api/v1/facilities) and pages: personas, bad input as clear 4xx, nothing half-saved, the poster and the
printable label, the phone report in two taps (ENV-1, ENV-2.1, ENV-2.2, ENV-4)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import time_machine

from facilities.models import Facility, Fault, FaultStatus, MaintenancePlan, Occurrence
from facilities.services import MAINTENANCE_NOTICE, cleaning_sweep, maintenance_sweep
from floor import signs
from tests.conftest import login
from tests.facilities.conftest import SH

NOW = datetime(2026, 12, 8, 10, 0, tzinfo=SH)
API = "/api/v1/facilities"


def post(client, url, data, method="post"):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


@time_machine.travel(NOW, tick=False)
def test_api_register_plan_check_and_report(client, world, fac):
    login(client, world["manager_a"])
    r = post(
        client,
        API,
        {
            "hall": world["hall_a"].pk,
            "kind": "printer",
            "asset_code": "pr-01",
            "label": "复印机",
            "responsible": world["manager_a"].pk,
            "location": "自助区",
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["asset_code"] == "PR-01"
    assert (
        post(
            client,
            API,
            {
                "hall": world["hall_a"].pk,
                "kind": "printer",
                "asset_code": "PR-01",
                "label": "x",
                "responsible": world["manager_a"].pk,
            },
        ).status_code
        == 409
    )
    r = post(
        client,
        f"{API}/plans",
        {
            "hall": world["hall_a"].pk,
            "title": "复印机检查",
            "rrule": "FREQ=DAILY",
            "dtstart": "2026-12-01T09:00:00+08:00",
            "kind": "printer",
            "checklist": [{"label": "纸张充足"}],
        },
    )
    assert r.status_code == 201, r.content
    maintenance_sweep(now=NOW)
    r = client.get(f"{API}/checks", {"hall": world["hall_a"].pk, "state": "due"})
    assert r.status_code == 200 and len(r.json()) == 1
    occ_id = r.json()[0]["id"]
    r = post(client, f"{API}/checks/{occ_id}/complete", {"answers": {"k1": "pass"}})
    assert r.status_code == 200 and r.json()["on_time"] is True
    r = post(client, f"{API}/{fac['kiosk'].pk}/faults", {"description": "无法出票"})
    assert r.status_code == 201 and r.json()["notice_up"] is True
    fault_id = r.json()["id"]
    board = client.get(f"{API}/halls/{world['hall_a'].pk}/board").json()
    assert [f["id"] for f in board["faults"]] == [fault_id]
    r = post(client, f"{API}/faults/{fault_id}/resolve", {"reason": "已更换打印头"})
    assert r.status_code == 200 and r.json()["status"] == "resolved" and r.json()["notice_up"] is False
    assert post(client, f"{API}/faults/{fault_id}/resolve", {}).status_code == 409
    assert post(client, f"{API}/faults/{fault_id}/explode", {}).status_code == 404


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "url,params",
    [
        (API, {"kind": "spaceship"}),
        (API, {"status": "melted"}),
        (f"{API}/faults", {"status": "maybe"}),
        (f"{API}/checks", {"state": "soon"}),
    ],
)
def test_api_unknown_filter_values_are_400(client, world, fac, url, params):
    login(client, world["manager_a"])
    r = client.get(url, params)
    assert r.status_code == 400 and r.json()["code"] == "filter_invalid" and r.json()["message_en"]


@time_machine.travel(NOW, tick=False)
def test_api_bad_input_is_a_clear_4xx_and_nothing_half_saved(client, world, fac):
    login(client, world["manager_a"])
    hall = world["hall_a"].pk
    cases = [
        (
            f"{API}/plans",
            {
                "hall": hall,
                "title": "x",
                "rrule": "FREQ=HOURLY",
                "dtstart": "2026-12-01T09:00:00+08:00",
                "kind": "seats",
                "checklist": [{"label": "a"}],
            },
            400,
            "rrule_frequency",
        ),
        (
            f"{API}/plans",
            {
                "hall": hall,
                "title": "x",
                "rrule": "FREQ=DAILY",
                "dtstart": "2026-12-01T09:00:00+08:00",
                "kind": "seats",
                "checklist": [],
            },
            400,
            "checklist_required",
        ),
        (f"{API}/plans", {"hall": hall, "title": "x"}, 422, "invalid_input"),
        (
            API,
            {
                "hall": hall,
                "kind": "water",
                "asset_code": "",
                "label": "x",
                "responsible": world["manager_a"].pk,
            },
            400,
            "asset_code_required",
        ),
        (
            API,
            {
                "hall": hall,
                "kind": "water",
                "asset_code": "W9",
                "label": "x",
                "responsible": world["clerk_b"].pk,
            },
            400,
            "responsible_invalid",
        ),
        (f"{API}/{fac['water'].pk}/faults", {"description": "   "}, 400, "description_required"),
    ]
    for url, body, status, code in cases:
        r = post(client, url, body)
        assert (r.status_code, r.json()["code"]) == (status, code), (url, r.content)
    assert (
        not MaintenancePlan.objects.exists() and not Fault.objects.exists() and Facility.objects.count() == 4
    )
    assert (
        client.get(f"{API}/halls/{hall}/compliance", {"day_from": "2026-13-01", "day_to": "x"}).status_code
        == 400
    )
    assert client.get(f"{API}/halls/{hall}/availability", {"month": "2026/12"}).status_code == 400


@time_machine.travel(NOW, tick=False)
def test_api_personas(client, world, fac):
    fault_url = f"{API}/{fac['water'].pk}/faults"
    login(client, world["clerk_b"])
    assert post(client, fault_url, {"description": "x"}).status_code == 404
    assert client.get(f"{API}/{fac['water'].pk}").status_code == 404
    assert client.get(API).json() == []
    for who in ("auditor", "inspector"):
        login(client, world[who])
        assert client.get(f"{API}/{fac['water'].pk}").status_code == 200
        assert post(client, fault_url, {"description": "x"}).status_code == 403
    login(client, world["clerk_a"])
    r = post(client, fault_url, {"description": "没水了"})
    assert r.status_code == 201
    assert post(client, f"{API}/faults/{r.json()['id']}/resolve", {}).status_code == 403
    client.logout()
    assert client.get(API).status_code == 401


@time_machine.travel(NOW, tick=False)
def test_pages_hall_board_facility_label_and_two_tap_report(client, world, fac, fresh_bus):
    cleaning_sweep(now=NOW)
    login(client, world["clerk_a"])
    r = client.get(f"/facilities/halls/{world['hall_a'].pk}/")
    assert r.status_code == 200 and "环境与设施" in r.content.decode()
    assert client.get(f"/facilities/halls/{world['hall_b'].pk}/").status_code == 404
    # tap 1: the facility; tap 2: the problem
    r = client.get(f"/facilities/halls/{world['hall_a'].pk}/report/")
    assert f"/facilities/f/{fac['kiosk'].pk}/" in r.content.decode()
    r = client.post(f"/facilities/f/{fac['kiosk'].pk}/", {"quick": "屏幕无反应"})
    fault = Fault.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/facilities/faults/{fault.pk}/"
    assert fault.description == "屏幕无反应" and fault.status == FaultStatus.OPEN
    page = client.get(r["Location"]).content.decode()
    assert MAINTENANCE_NOTICE in page
    r = client.get(f"/facilities/faults/{fault.pk}/poster.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert signs.template_mark(r.content)  # ENV-3: the one sign template draws the maintenance notice too
    r = client.get(f"/facilities/f/{fac['kiosk'].pk}/label/")
    assert r.status_code == 200 and "<svg" in r.content.decode()
    # the clerk cannot resolve; the manager can, from the page
    assert client.post(f"/facilities/faults/{fault.pk}/resolve/").status_code == 403
    login(client, world["manager_a"])
    assert client.post(f"/facilities/faults/{fault.pk}/resolve/", {"resolution": "重启"}).status_code == 302
    fault.refresh_from_db()
    assert fault.status == FaultStatus.RESOLVED


@time_machine.travel(NOW, tick=False)
def test_pages_check_form_shows_error_and_keeps_nothing(client, world, fac, private_media):
    from facilities.services import plan_create

    plan_create(
        user=world["manager_a"],
        hall=world["hall_a"],
        title="滤芯",
        rrule="FREQ=DAILY",
        dtstart=datetime(2026, 12, 1, 9, 0, tzinfo=SH),
        facility=fac["water"],
        checklist=[{"key": "tds", "label": "TDS", "type": "number", "min": 0, "max": 50}],
    )
    maintenance_sweep(now=NOW)
    occ = Occurrence.objects.get(window_start__lte=NOW)
    login(client, world["greeter_a"])
    r = client.post(f"/facilities/checks/{occ.pk}/", {"tds": "99"})
    assert r.status_code == 400 and "请拍照留证" in r.content.decode()
    occ.refresh_from_db()
    assert occ.status == "open"
    r = client.post(f"/facilities/checks/{occ.pk}/", {"tds": "12"})
    assert r.status_code == 302


@time_machine.travel(NOW, tick=False)
def test_pages_cleaning_round_and_sheet(client, world):
    from facilities.models import CleaningRound

    cleaning_sweep(now=NOW)
    rnd = CleaningRound.objects.get(hall=world["hall_a"], day=NOW.date(), kind="patrol", seq=1)
    login(client, world["greeter_a"])
    assert client.post(f"/facilities/rounds/{rnd.pk}/done/").status_code == 302
    rnd.refresh_from_db()
    assert rnd.status == "done" and rnd.on_time
    day = NOW.date().isoformat()
    assert client.get(f"/facilities/halls/{world['hall_a'].pk}/sheet/{day}/").status_code == 200
    r = client.get(f"/facilities/halls/{world['hall_a'].pk}/sheet/{day}/", {"format": "pdf"})
    assert r.content.startswith(b"%PDF")
    assert client.get(f"/facilities/halls/{world['hall_a'].pk}/sheet/notaday/").status_code == 404
    login(client, world["supervisor_a"])
    r = client.post(f"/facilities/halls/{world['hall_a'].pk}/sheet/{day}/")
    assert r.status_code == 302  # refused with a message: rounds still due
    later = NOW + timedelta(hours=14)
    cleaning_sweep(now=later)
    with time_machine.travel(later, tick=False):
        login(client, world["supervisor_a"])  # a new session: the idle timeout has passed
        client.post(f"/facilities/halls/{world['hall_a'].pk}/sheet/{day}/")
    from facilities.models import CleaningSheet

    assert CleaningSheet.objects.filter(hall=world["hall_a"], day=NOW.date()).exists()


@time_machine.travel(NOW, tick=False)
def test_api_plan_change_and_suspected_fault_actions(client, world, fac):
    """ENV-2.1 plan change through the API (only future open checks replaced); ENV-2.2 confirm / dismiss."""
    from facilities.models import Facility
    from facilities.services import fault_suspect_sweep
    from integrations.models import ApiToken, TokenKind, token_create

    login(client, world["manager_a"])
    r = post(
        client,
        f"{API}/plans",
        {
            "hall": world["hall_a"].pk,
            "title": "座椅",
            "rrule": "FREQ=WEEKLY;BYDAY=MO",
            "dtstart": "2026-11-02T09:00:00+08:00",
            "kind": "seats",
            "checklist": [{"label": "稳固"}],
        },
    )
    plan_id = r.json()["id"]
    maintenance_sweep(now=NOW)
    before = Occurrence.objects.filter(plan_id=plan_id, window_start__gt=NOW).count()
    r = post(client, f"{API}/plans/{plan_id}", {"rrule": "FREQ=WEEKLY;BYDAY=FR"}, method="patch")
    assert r.status_code == 200 and r.json()["version"] == 2
    after = Occurrence.objects.filter(plan_id=plan_id, window_start__gt=NOW)
    assert before and after.exists() and {o.window_start.astimezone(SH).weekday() for o in after} == {4}
    assert post(client, f"{API}/plans/{plan_id}", {"rrule": "FREQ=HOURLY"}, method="patch").status_code == 400
    login(client, world["clerk_b"])
    assert post(client, f"{API}/plans/{plan_id}", {"title": "x"}, method="patch").status_code == 404

    token, _raw = token_create(hall=world["hall_a"], kind=TokenKind.KIOSK, name="取号机1")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=NOW - timedelta(hours=1))
    Facility.objects.filter(pk=fac["kiosk"].pk).update(api_token=token)
    fault_suspect_sweep(now=NOW)
    fault = Fault.objects.get(facility=fac["kiosk"])
    login(client, world["clerk_a"])
    assert post(client, f"{API}/faults/{fault.pk}/confirm", {}).status_code == 403
    login(client, world["supervisor_a"])
    r = post(client, f"{API}/faults/{fault.pk}/confirm", {})
    assert r.status_code == 200 and r.json()["status"] == "open" and r.json()["notice_up"] is True
    assert post(client, f"{API}/faults/{fault.pk}/dismiss", {}).status_code == 409
    r = client.get(f"{API}/faults", {"hall": world["hall_a"].pk, "status": "open"})
    assert [f["id"] for f in r.json()] == [fault.pk]
