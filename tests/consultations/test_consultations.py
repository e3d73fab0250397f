"""BIZ-2.1: on-site callback within 24 h; online first response within 1 h, complex solved within 48 h."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from consultations import services as s
from consultations.models import Channel, Consultation, Status
from integrations.models import TokenKind, token_create
from lib.errors import ServiceError
from notify.models import Notification
from sla.models import Clock, ClockStatus, Target
from tests.conftest import login

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)


def _record(world, **kw):
    args = {
        "hall": world["hall_a"],
        "channel": Channel.ONSITE,
        "customer_name": "刘洋",
        "contact_phone": "18800188006",
        "question": "国际漫游流量包在哪些国家可以使用？",
        "actor": world["greeter_a"],
    }
    return s.consultation_record(**(args | kw))


def _clock(c, target):
    return Clock.objects.for_subject(c).filter(target=target).order_by("-cycle").first()


@pytest.mark.django_db
def test_onsite_question_gets_24h_callback_clock_and_sms_answer_meets_it(world, time_machine):
    time_machine.move_to(T0, tick=False)
    c = _record(world)
    assert c.status == Status.AWAITING_CALLBACK and c.number.startswith("ZX-HA-20260601-")
    assert c.taken_by == world["greeter_a"]
    assert _clock(c, Target.CONSULTATION_CALLBACK).deadline == T0 + timedelta(hours=24)
    time_machine.move_to(T0 + timedelta(hours=5), tick=False)
    s.consultation_answer(
        consultation=c, actor=world["supervisor_a"], answer="覆盖全球60个国家和地区", method="sms"
    )
    assert c.status == Status.CLOSED and c.reply_method == "sms"
    assert _clock(c, Target.CONSULTATION_CALLBACK).status == ClockStatus.MET
    sms = Notification.objects.get(dedupe_key=f"consultation:{c.pk}:answer")
    assert "覆盖全球60个国家和地区" in sms.body


@pytest.mark.django_db
def test_online_consultation_first_response_then_complex_solution(world, time_machine):
    time_machine.move_to(T0, tick=False)
    token, _raw = token_create(hall=world["hall_a"], kind=TokenKind.APP, name="APP")
    c = _record(world, channel="", token=token, actor=None)
    assert c.channel == Channel.APP and c.status == Status.AWAITING_RESPONSE
    assert _clock(c, Target.CONSULTATION_ONLINE_FIRST_RESPONSE).deadline == T0 + timedelta(hours=1)
    time_machine.move_to(T0 + timedelta(minutes=40), tick=False)
    s.consultation_respond(
        consultation=c, actor=world["supervisor_a"], answer="已收到,正在核实", complex_=True
    )
    assert c.status == Status.IN_PROGRESS and c.is_complex
    assert _clock(c, Target.CONSULTATION_ONLINE_FIRST_RESPONSE).status == ClockStatus.MET
    solution = _clock(c, Target.CONSULTATION_ONLINE_COMPLEX_SOLUTION)
    assert solution.deadline == T0 + timedelta(minutes=40, hours=48)
    s.consultation_answer(consultation=c, actor=world["supervisor_a"], answer="已为您开通", method="online")
    assert c.status == Status.CLOSED
    assert _clock(c, Target.CONSULTATION_ONLINE_COMPLEX_SOLUTION).status == ClockStatus.MET


@pytest.mark.django_db
def test_bad_phone_and_closed_consultation_are_refused(world):
    with pytest.raises(ServiceError) as err:
        _record(world, contact_phone="010-123")
    assert err.value.code == "invalid_phone"
    assert Consultation.objects.count() == 0
    c = _record(world)
    s.consultation_answer(consultation=c, actor=world["supervisor_a"], answer="已电话答复", method="phone")
    with pytest.raises(ServiceError) as err:
        s.consultation_answer(consultation=c, actor=world["supervisor_a"], answer="再答复", method="phone")
    assert err.value.code == "consultation_closed"


@pytest.mark.django_db
def test_consultation_pages_and_api_scope(client, world):
    login(client, world["greeter_a"])
    response = client.post(
        "/consultations/new/",
        {"customer_name": "刘洋", "contact_phone": "18800188006", "question": "副卡怎么办理?"},
    )
    assert response.status_code == 302
    c = Consultation.objects.get()
    assert client.get(f"/consultations/{c.pk}/").status_code == 200
    assert "ZX-HA" in client.get("/consultations/").content.decode()
    login(client, world["clerk_b"])
    assert client.get(f"/consultations/{c.pk}/").status_code == 404
    assert client.get(f"/api/v1/consultations/{c.pk}").status_code == 404
    client.logout()
    assert client.get("/api/v1/consultations").status_code == 401
    _token, raw = token_create(hall=world["hall_a"], kind=TokenKind.WECOM, name="企业微信")
    r = client.post(
        "/api/v1/consultations",
        {"customer_name": "王芳", "contact_phone": "13700137003", "question": "携号转网需要什么条件?"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert (
        r.status_code == 201 and r.json()["channel"] == "wecom" and r.json()["status"] == "awaiting_response"
    )
    login(client, world["supervisor_a"])
    r = client.post(
        f"/api/v1/consultations/{r.json()['id']}/respond",
        {"answer": "需要号码在网满120天", "complex": False},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"


def test_clerk_sees_who_answers_and_the_chosen_business_type(client, world):
    """Issue 10 §2 (BIZ-2.1): a clerk or greeter cannot answer, so the page says who does; the business type the
    customer asked about is shown on the detail and the list."""
    c = _record(world, business_type=world["basic"])
    client.force_login(world["clerk_a"])
    html = client.get(reverse("consultations:detail", args=[c.pk])).content.decode()
    assert "套餐变更" in html and 'id="who-answers"' in html and 'id="step-answer"' not in html
    assert "值班主管" in html and world["supervisor_a"].staff_profile.full_name in html
    listing = client.get(reverse("consultations:list")).content.decode()
    assert "套餐变更" in listing
    client.force_login(world["supervisor_a"])
    html = client.get(reverse("consultations:detail", args=[c.pk])).content.decode()
    assert 'id="who-answers"' not in html and ('id="step-respond"' in html or 'id="step-answer"' in html)
