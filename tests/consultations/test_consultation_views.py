"""BIZ-2.1 / BIZ-3 (issue 9 §5): consultations' pages and API at the others' depth — the four personas on every view
(allowed, forbidden, other hall invisible, anonymous), bad input refused with a stable code, the timeline, and the
audited reveal of the caller's number."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from consultations import services as s
from consultations.models import Channel, Consultation, EventKind, Status
from integrations.models import TokenKind, token_create
from lib.errors import Conflict, ServiceError
from privacy.models import PIAccessLog
from tests.personas import Personas, check_personas

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "18800188006"
HANDLERS = Personas(allowed="supervisor_a", forbidden="clerk_a", other_hall="clerk_b")
READERS = Personas(allowed="greeter_a", other_hall="clerk_b")


def _record(world, **kw):
    args = {
        "hall": world["hall_a"],
        "channel": Channel.ONSITE,
        "customer_name": "刘洋",
        "contact_phone": PHONE,
        "question": "国际漫游流量包在哪些国家可以使用?",
        "actor": world["greeter_a"],
    }
    return s.consultation_record(**(args | kw))


def _online(world):
    token, _raw = token_create(hall=world["hall_a"], kind=TokenKind.WECOM, name="企业微信")
    return _record(world, channel="", token=token, actor=None)


# --- the four personas ------------------------------------------------------------------------------------------


def test_detail_page_and_api_personas(client, world):
    c = _record(world)
    page = check_personas(client, world, reverse("consultations:detail", args=[c.pk]), READERS)
    assert c.number in page["allowed"].content.decode()
    api = check_personas(client, world, f"/api/v1/consultations/{c.pk}", READERS)
    assert api["allowed"].json()["contact_phone"] == "188****8006"


def test_list_page_personas_show_only_the_own_halls_consultations(client, world):
    c = _record(world)
    client.force_login(world["clerk_b"])
    assert c.number not in client.get(reverse("consultations:list")).content.decode()
    assert client.get("/api/v1/consultations").json() == []
    client.logout()
    assert client.get("/api/v1/consultations").status_code == 401
    assert client.get(reverse("consultations:list")).status_code == 302


def test_answer_page_personas(client, world):
    c = _record(world)
    check_personas(
        client,
        world,
        reverse("consultations:answer", args=[c.pk]),
        HANDLERS,
        method="post",
        data={"answer": "覆盖全球60个国家和地区", "method": "phone"},
        allowed_status=302,
    )
    c.refresh_from_db()
    assert c.status == Status.CLOSED and c.answered_by == world["supervisor_a"]


def test_respond_api_personas(client, world):
    c = _online(world)
    r = check_personas(
        client,
        world,
        f"/api/v1/consultations/{c.pk}/respond",
        HANDLERS,
        method="post",
        data={"answer": "需要号码在网满120天", "complex": False},
        allowed_status=200,
    )
    assert r["allowed"].json()["status"] == "closed"
    assert r["forbidden"].json()["code"] == "forbidden"


# --- the audited reveal -----------------------------------------------------------------------------------------


def test_reveal_page_personas_and_one_audit_row(client, world):
    c = _record(world)
    r = check_personas(
        client,
        world,
        reverse("consultations:reveal", args=[c.pk]),
        HANDLERS,
        method="post",
        data={"field": "contact_phone", "reason": "回电答复"},
        allowed_status=200,
    )
    assert PHONE in r["allowed"].content.decode() and r["allowed"]["Cache-Control"] == "private, no-store"
    log = PIAccessLog.objects.get()
    assert (log.user, log.field, log.subject_id) == (world["supervisor_a"], "contact_phone", str(c.pk))
    assert PHONE not in client.get(reverse("consultations:detail", args=[c.pk])).content.decode()


def test_reveal_api_personas_and_one_audit_row(client, world):
    c = _record(world)
    r = check_personas(
        client,
        world,
        f"/api/v1/consultations/{c.pk}/reveal",
        HANDLERS,
        method="post",
        data={"field": "customer_name", "reason": "回电答复"},
        allowed_status=200,
    )
    assert r["allowed"].json() == {"field": "customer_name", "value": "刘洋"}
    assert PIAccessLog.objects.filter(field="customer_name").count() == 1


def test_reveal_without_reason_or_of_another_field_is_refused_and_not_audited(client, world):
    c = _record(world)
    client.force_login(world["supervisor_a"])
    url = f"/api/v1/consultations/{c.pk}/reveal"
    no_reason = client.post(url, {"field": "contact_phone"}, content_type="application/json")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    other = client.post(url, {"field": "question", "reason": "看看"}, content_type="application/json")
    assert other.status_code == 400 and other.json()["code"] == "unknown_field"
    page = client.post(reverse("consultations:reveal", args=[c.pk]), {"field": "contact_phone", "reason": ""})
    assert page.status_code == 400 and PHONE not in page.content.decode()
    assert not PIAccessLog.objects.exists()


# --- bad input --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"channel": "fax"}, "invalid_channel"),
        ({"customer_name": " "}, "name_required"),
        ({"question": "?"}, "question_required"),
        ({"question": "问" * 2001}, "question_too_long"),
        ({"contact_phone": "12345"}, None),
    ],
)
def test_recording_refuses_bad_input(world, overrides, code):
    with pytest.raises(ServiceError) as exc:
        _record(world, **overrides)
    assert code is None or exc.value.code == code
    assert not Consultation.objects.exists()


def test_answering_refuses_bad_input_and_a_closed_consultation(world):
    c = _record(world)
    boss = world["supervisor_a"]
    with pytest.raises(ServiceError) as exc:
        s.consultation_answer(consultation=c, actor=boss, answer="", method="phone")
    assert exc.value.code == "answer_required"
    with pytest.raises(ServiceError) as exc:
        s.consultation_answer(consultation=c, actor=boss, answer="可以办理", method="online")
    assert exc.value.code == "invalid_method"
    s.consultation_answer(consultation=c, actor=boss, answer="可以办理", method="phone")
    with pytest.raises(Conflict):
        s.consultation_answer(consultation=c, actor=boss, answer="再答一次", method="phone")
    with pytest.raises(ServiceError) as exc:
        s.consultation_respond(consultation=c, actor=boss, answer="线上回复")
    assert exc.value.code == "not_online"


def test_api_refuses_unknown_filters_and_bad_bodies(client, world):
    client.force_login(world["supervisor_a"])
    assert client.get("/api/v1/consultations?status=nope").json()["code"] == "invalid_filter"
    assert client.get("/api/v1/consultations?state=late").status_code == 400
    assert client.get("/api/v1/consultations?hall=abc").status_code in (400, 422)
    bad_type = client.post(
        "/api/v1/consultations",
        {
            "hall": "HA",
            "customer_name": "刘洋",
            "contact_phone": PHONE,
            "question": "副卡怎么办?",
            "business_type": "X",
        },
        content_type="application/json",
    )
    assert bad_type.status_code == 400 and bad_type.json()["code"] == "business_type_invalid"
    other_hall = client.post(
        "/api/v1/consultations",
        {"hall": "HC", "customer_name": "刘洋", "contact_phone": PHONE, "question": "副卡怎么办?"},
        content_type="application/json",
    )
    assert other_hall.status_code == 404 and other_hall.json()["code"] == "hall_not_found"
    assert not Consultation.objects.exists()


def test_answer_page_refuses_a_closed_consultation_and_changes_nothing(client, world):
    c = _record(world)
    s.consultation_answer(consultation=c, actor=world["supervisor_a"], answer="可以办理", method="phone")
    client.force_login(world["supervisor_a"])
    r = client.post(reverse("consultations:answer", args=[c.pk]), {"answer": "再答一次", "method": "sms"})
    assert r.status_code == 400
    c.refresh_from_db()
    assert (c.answer, c.reply_method) == ("可以办理", "phone")


# --- the timeline -----------------------------------------------------------------------------------------------


def test_the_timeline_records_every_step_with_its_actor(client, world, time_machine):
    t0 = datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)
    time_machine.move_to(t0, tick=False)
    c = _online(world)
    time_machine.move_to(t0 + timedelta(minutes=20), tick=False)
    s.consultation_respond(
        consultation=c, actor=world["supervisor_a"], answer="正在核实,请稍候", complex_=True
    )
    time_machine.move_to(t0 + timedelta(hours=5), tick=False)
    s.consultation_answer(
        consultation=c, actor=world["supervisor_a"], answer="已为您开通,回电13912345678", method="sms"
    )
    events = list(c.events.all())
    assert [e.kind for e in events] == [
        EventKind.RECORDED,
        EventKind.FIRST_RESPONSE,
        EventKind.MARKED_COMPLEX,
        EventKind.ANSWERED,
    ]
    assert events[0].actor_label.startswith("企业微信") and events[0].data == {"channel": "wecom"}
    name = world["supervisor_a"].staff_profile.full_name
    assert all(name in e.actor_label for e in events[1:])
    assert [e.at for e in events] == [
        t0,
        t0 + timedelta(minutes=20),
        t0 + timedelta(minutes=20),
        t0 + timedelta(hours=5),
    ]
    assert events[-1].masked_note == "已为您开通,回电139****5678" and events[-1].data == {"method": "sms"}
    client.force_login(world["clerk_a"])
    page = client.get(reverse("consultations:detail", args=[c.pk])).content.decode()
    assert "首次响应" in page and "答复并结案" in page and "13912345678" not in page
