"""BIZ-1.2 / BIZ-4 home visits: booked → content and time confirmed in advance → customer's authorisation recorded
→ clerk assigned → result; personal information encrypted and masked; personas; bad input."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from lib.errors import ServiceError
from privacy.models import PIAccessLog
from staff.models import HallRole
from tests import factories as f
from tests.conftest import login
from visits import services as s
from visits.models import HomeVisit, Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)
ADDRESS = "南山区科技园路88号3栋1201室"


def _book(world, **kw):
    args = {
        "hall": world["hall_a"],
        "reason": "limited_mobility",
        "customer_name": "王秀英",
        "contact_phone": "13900139001",
        "address": ADDRESS,
        "content": "补办SIM卡并开通老年套餐",
        "actor": world["greeter_a"],
    }
    return s.visit_book(**(args | kw))


def _to_authorised(world, visit):
    s.visit_confirm(visit=visit, actor=world["supervisor_a"], scheduled_at=T0 + timedelta(days=1))
    return s.visit_authorise(
        visit=visit,
        actor=world["supervisor_a"],
        authoriser="self",
        authoriser_name="王秀英",
        method="recorded_call",
        authorised_at=T0,
    )


def _json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_biz4_full_flow_book_confirm_authorise_assign_result(world, time_machine):
    time_machine.move_to(T0, tick=False)
    visit = _book(world)
    assert visit.status == Status.REQUESTED and visit.number.startswith("SM-HA-20261118-")
    s.visit_confirm(visit=visit, actor=world["supervisor_a"], scheduled_at=T0 + timedelta(days=1, hours=5))
    assert visit.status == Status.CONFIRMED and visit.confirmed_by == world["supervisor_a"]
    s.visit_authorise(
        visit=visit,
        actor=world["supervisor_a"],
        authoriser="guardian",
        authoriser_name="李建华",
        method="written",
        authorised_at=T0 - timedelta(hours=1),
    )
    assert visit.status == Status.AUTHORISED and visit.authorisation_recorded_by == world["supervisor_a"]
    s.visit_assign(visit=visit, actor=world["manager_a"], clerk=world["clerk_a"])
    assert visit.status == Status.ASSIGNED and visit.clerk == world["clerk_a"]
    s.visit_record_result(visit=visit, actor=world["clerk_a"], outcome="completed", result="已补卡并开通套餐")
    assert visit.status == Status.DONE and visit.outcome == "completed"
    assert [e.kind for e in visit.events.all()] == ["booked", "confirmed", "authorised", "assigned", "done"]


@pytest.mark.django_db
def test_biz12_assignment_requires_the_customers_authorisation(world, time_machine):
    time_machine.move_to(T0, tick=False)
    visit = _book(world)
    with pytest.raises(ServiceError) as err:
        s.visit_assign(visit=visit, actor=world["manager_a"], clerk=world["clerk_a"])
    assert err.value.code == "authorisation_required" and err.value.status == 409
    s.visit_confirm(visit=visit, actor=world["supervisor_a"], scheduled_at=T0 + timedelta(days=1))
    with pytest.raises(ServiceError) as err:
        s.visit_assign(visit=visit, actor=world["manager_a"], clerk=world["clerk_a"])
    assert err.value.code == "authorisation_required"
    assert HomeVisit.objects.get(pk=visit.pk).clerk is None


@pytest.mark.django_db
def test_biz4_time_is_confirmed_in_advance_and_authorisation_needs_who_how_when(world, time_machine):
    time_machine.move_to(T0, tick=False)
    visit = _book(world)
    with pytest.raises(ServiceError) as err:
        s.visit_confirm(visit=visit, actor=world["supervisor_a"], scheduled_at=T0 - timedelta(hours=1))
    assert err.value.code == "scheduled_in_past"
    with pytest.raises(ServiceError) as err:  # authorisation comes after the confirmation
        s.visit_authorise(
            visit=visit,
            actor=world["supervisor_a"],
            authoriser="self",
            authoriser_name="王秀英",
            method="sms",
            authorised_at=T0,
        )
    assert err.value.code == "visit_state"
    s.visit_confirm(visit=visit, actor=world["supervisor_a"], scheduled_at=T0 + timedelta(days=2))
    for bad, code in [
        ({"authoriser": "neighbour"}, "invalid_authoriser"),
        ({"method": "telepathy"}, "invalid_method"),
        ({"authoriser_name": " "}, "authoriser_required"),
        ({"authorised_at": T0 + timedelta(days=1)}, "authorised_in_future"),
        ({"authorised_at": datetime(2026, 11, 18, 10, 0)}, "invalid_authorised_at"),
    ]:
        args = {"authoriser": "self", "authoriser_name": "王秀英", "method": "sms", "authorised_at": T0} | bad
        with pytest.raises(ServiceError) as err:
            s.visit_authorise(visit=visit, actor=world["supervisor_a"], **args)
        assert err.value.code == code
    assert HomeVisit.objects.get(pk=visit.pk).status == Status.CONFIRMED


@pytest.mark.django_db
def test_biz12_group_customer_needs_agreement_number_and_bad_booking_input(world, time_machine):
    time_machine.move_to(T0, tick=False)
    with pytest.raises(ServiceError) as err:
        _book(world, reason="group_agreement")
    assert err.value.code == "agreement_required"
    visit = _book(
        world, reason="group_agreement", agreement_reference="JT-2026-001", actor=world["manager_a"]
    )
    assert visit.agreement_reference == "JT-2026-001"
    for bad, code in [
        ({"reason": "bored"}, "invalid_reason"),
        ({"contact_phone": "12345"}, "invalid_phone"),
        ({"address": "南山"}, "address_required"),
        ({"content": ""}, "content_required"),
        ({"customer_name": ""}, "name_required"),
        ({"preferred_time": T0 - timedelta(days=1)}, "preferred_in_past"),
    ]:
        with pytest.raises(ServiceError) as err:
            _book(world, **bad)
        assert err.value.code == code


@pytest.mark.django_db
def test_biz3_pi_is_encrypted_at_rest_and_masked(world, time_machine):
    time_machine.move_to(T0, tick=False)
    visit = _book(world)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT customer_name, contact_phone, address, content FROM visits_homevisit WHERE id = %s",
            [visit.pk],
        )
        row = cur.fetchone()
    assert all(str(v).startswith("enc1:") for v in row)
    assert visit.phone_index and visit.masked_phone == "139****9001" and visit.masked_name == "王**"
    assert "88号" not in visit.masked_address and visit.masked_address.startswith("南山区科技园")


@pytest.mark.django_db
def test_pages_mask_pi_and_reveal_is_audited_for_supervisor_and_assigned_clerk(client, world, time_machine):
    time_machine.move_to(T0, tick=False)
    visit = _to_authorised(world, _book(world))
    login(client, world["greeter_a"])
    body = client.get(f"/visits/{visit.pk}/").content.decode()
    assert "王**" in body and "139****9001" in body
    assert "王秀英" not in body and "13900139001" not in body and "88号" not in body
    api = client.get(f"/api/v1/visits/{visit.pk}").json()
    assert api["contact_phone"] == "139****9001" and "88号" not in json.dumps(api, ensure_ascii=False)
    # The greeter holds no reveal right
    assert (
        client.post(f"/visits/{visit.pk}/reveal/", {"field": "address", "reason": "上门"}).status_code == 403
    )
    login(client, world["supervisor_a"])
    resp = client.post(f"/visits/{visit.pk}/reveal/", {"field": "address", "reason": "安排上门"})
    assert resp.status_code == 200 and ADDRESS in resp.content.decode()
    # The clerk sees the address only once sent, and every view is audited
    login(client, world["clerk_a"])
    assert client.get(f"/visits/{visit.pk}/").status_code == 404
    s.visit_assign(visit=visit, actor=world["manager_a"], clerk=world["clerk_a"])
    resp = _json(client, f"/api/v1/visits/{visit.pk}/reveal", {"field": "address", "reason": "上门找地址"})
    assert resp.status_code == 200 and resp.json()["value"] == ADDRESS
    assert PIAccessLog.objects.filter(subject_type="visits.homevisit", field="address").count() == 2
    s.visit_record_result(visit=visit, actor=world["clerk_a"], outcome="completed", result="已办结")
    resp = _json(client, f"/api/v1/visits/{visit.pk}/reveal", {"field": "address", "reason": "再看看"})
    assert resp.status_code == 403  # done: the clerk's need to know has ended


@pytest.mark.django_db
def test_personas_on_pages_and_api(client, world, time_machine):
    time_machine.move_to(T0, tick=False)
    visit = _book(world)
    login(client, world["clerk_b"])
    assert client.get(f"/visits/{visit.pk}/").status_code == 404
    assert client.get(f"/api/v1/visits/{visit.pk}").status_code == 404
    assert client.get("/api/v1/visits").json() == []
    login(client, world["clerk_a"])
    assert client.get("/visits/new/").status_code == 403
    assert client.get("/visits/mine/").status_code == 200
    resp = _json(
        client,
        "/api/v1/visits",
        {
            "hall": "HA",
            "reason": "limited_mobility",
            "customer_name": "张三",
            "contact_phone": "13900139002",
            "address": ADDRESS,
            "content": "办卡",
        },
    )
    assert resp.status_code == 403
    login(client, world["inspector"])
    assert client.get(f"/visits/{visit.pk}/").status_code == 200  # report.view reads
    resp = client.post(f"/visits/{visit.pk}/confirm/", {"confirm-scheduled_at": "2026-11-19T10:00"})
    assert resp.status_code == 403
    login(client, world["auditor"])
    assert client.get("/api/v1/visits").status_code == 200
    assert _json(client, f"/api/v1/visits/{visit.pk}/cancel", {"reason": "审计测试"}).status_code == 403
    assert (
        _json(client, f"/api/v1/visits/{visit.pk}/reveal", {"field": "address", "reason": "审计"}).status_code
        == 403
    )
    login(client, world["greeter_a"])
    resp = client.post(
        "/visits/new/",
        {
            "hall": world["hall_a"].pk,
            "reason": "limited_mobility",
            "customer_name": "赵大妈",
            "contact_phone": "13900139003",
            "address": ADDRESS,
            "content": "宽带报装",
        },
    )
    assert resp.status_code == 302
    assert (
        client.post(f"/visits/{visit.pk}/confirm/", {"confirm-scheduled_at": "2026-11-19T10:00"}).status_code
        == 403
    )


@pytest.mark.django_db
def test_api_flow_and_bad_input(client, world, time_machine):
    time_machine.move_to(T0, tick=False)
    login(client, world["supervisor_a"])
    body = {
        "hall": "HA",
        "reason": "limited_mobility",
        "customer_name": "王秀英",
        "contact_phone": "13900139001",
        "address": ADDRESS,
        "content": "补办SIM卡",
    }
    assert _json(client, "/api/v1/visits", body | {"hall": "HB"}).status_code == 404
    assert (
        _json(client, "/api/v1/visits", body | {"business_type": "NOPE"}).json()["code"]
        == "business_type_invalid"
    )
    assert _json(client, "/api/v1/visits", body | {"contact_phone": "abc"}).status_code == 400
    resp = _json(client, "/api/v1/visits", body)
    assert resp.status_code == 201 and resp.json()["customer"] == "王**"
    vid = resp.json()["id"]
    assert client.get("/api/v1/visits?status=nope").status_code == 400
    assert (
        _json(client, f"/api/v1/visits/{vid}/assign", {"clerk": "clerk_a"}).json()["code"]
        == "authorisation_required"
    )
    assert _json(client, f"/api/v1/visits/{vid}/confirm", {"scheduled_at": "bad"}).status_code == 422
    assert (
        _json(
            client, f"/api/v1/visits/{vid}/confirm", {"scheduled_at": (T0 + timedelta(days=1)).isoformat()}
        ).status_code
        == 200
    )
    auth = {
        "authoriser": "self",
        "authoriser_name": "王秀英",
        "method": "recorded_call",
        "authorised_at": T0.isoformat(),
    }
    assert _json(client, f"/api/v1/visits/{vid}/authorise", auth).json()["status"] == "authorised"
    assert (
        _json(client, f"/api/v1/visits/{vid}/assign", {"clerk": "clerk_b"}).json()["code"] == "clerk_invalid"
    )
    assert _json(client, f"/api/v1/visits/{vid}/assign", {"clerk": "clerk_a"}).json()["clerk"] == "clerk_a"
    login(client, world["clerk_a"])
    assert client.get("/api/v1/visits?mine=true").json()[0]["id"] == vid
    assert (
        _json(client, f"/api/v1/visits/{vid}/result", {"outcome": "maybe", "result": "x"}).status_code == 400
    )
    done = _json(
        client,
        f"/api/v1/visits/{vid}/result",
        {"outcome": "completed", "result": "已办结,客户电话13900139001"},
    )
    assert done.status_code == 200 and "139****9001" in done.json()["result"]
    login(client, world["supervisor_a"])
    assert _json(client, f"/api/v1/visits/{vid}/cancel", {"reason": "测试"}).json()["code"] == "visit_closed"


@pytest.mark.django_db
def test_bad_input_on_pages_shows_the_message(client, world, time_machine):
    time_machine.move_to(T0, tick=False)
    visit = _book(world)
    login(client, world["supervisor_a"])
    resp = client.post(f"/visits/{visit.pk}/confirm/", {"confirm-scheduled_at": "2026-11-17T10:00"})
    assert resp.status_code == 400 and "上门时间须晚于现在" in resp.content.decode()
    resp = client.post(f"/visits/{visit.pk}/assign/", {"assign-clerk": world["clerk_a"].pk})
    assert resp.status_code == 400 and "须先记录客户授权" in resp.content.decode()
    assert client.post(f"/visits/{visit.pk}/explode/", {}).status_code == 404
    assert client.get("/visits/?status=nope").status_code == 400
    resp = client.post(
        "/visits/new/",
        {
            "hall": world["hall_a"].pk,
            "reason": "group_agreement",
            "customer_name": "某公司",
            "contact_phone": "13900139004",
            "address": ADDRESS,
            "content": "集团专线",
        },
    )
    assert resp.status_code == 400 and "协议编号" in resp.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_supervisors_assigning_at_once_only_one_wins(world, time_machine):
    """Statuses move by conditional UPDATE: two concurrent assignments, one succeeds, the other is a conflict."""
    time_machine.move_to(T0, tick=False)
    visit = _to_authorised(world, _book(world))
    other = f.user("clerk_a2", hall_roles=[(world["hall_a"], HallRole.CLERK)])
    results, barrier = [], threading.Barrier(2)

    def go(clerk, actor):
        from django.db import connections

        try:
            barrier.wait(5)
            s.visit_assign(visit=HomeVisit.objects.get(pk=visit.pk), actor=actor, clerk=clerk)
            results.append("ok")
        except ServiceError as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=go, args=(world["clerk_a"], world["manager_a"])),
        threading.Thread(target=go, args=(other, world["supervisor_a"])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(results) == ["ok", "visit_state"]
    assert HomeVisit.objects.get(pk=visit.pk).status == Status.ASSIGNED


@pytest.mark.django_db
def test_english_pages_for_visits_and_training(client, world, time_machine):
    """The English catalogues of both apps are complete enough that the pages read in English."""
    time_machine.move_to(T0, tick=False)
    visit = _book(world)
    login(client, world["supervisor_a"])
    client.cookies["django_language"] = "en"
    body = client.get(f"/visits/{visit.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Confirm content and time with the customer" in body and "Not yet authorised" in body
    assert "与客户确认内容与时间" not in body
    login(client, world["manager_a"])
    client.cookies["django_language"] = "en"
    body = client.get("/training/coverage/?month=2026-11", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Training coverage" in body and "Not yet trained" in body and "未参训人员" not in body
    resp = client.post(
        "/api/v1/visits", data=json.dumps({"hall": "HA", "reason": "x"}), content_type="application/json"
    )
    assert resp.status_code == 422
