"""SUP-1.2: low score → duty supervisor notified + follow-up on the SLA engine; SMS invitation and reply parsing;
signed link; APP submit; phone-repeat exclusion."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from evaluations import services as es
from evaluations.models import Evaluation, EvaluationInvitation, Exclusion, FollowUp, InvitationStatus
from evaluations.sms import parse_reply, sms_inbound
from integrations.models import TokenKind, token_create
from notify.models import Notification
from privacy.services import customer_create
from sla.models import Clock, ClockStatus, Target
from staff.models import DutyShift
from tests.evaluations.conftest import finish

PHONE = "13912345678"


@pytest.fixture
def gateway(ev):
    token, raw = token_create(hall=ev["hall"], kind=TokenKind.APP, name="短信网关")
    return token, raw


def _customer(ev, phone=PHONE):
    return customer_create(hall=ev["hall"], name="王小明", mobile=phone)


def test_sup_1_2_low_score_notifies_the_duty_supervisor_and_opens_a_follow_up(ev):
    now = timezone.now()
    DutyShift.objects.create(
        hall=ev["hall"],
        user=ev["supervisor_a"],
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=8),
    )
    t = finish(ev)
    inv = es.invitation_create(ticket=t)
    chip = es.ReasonChip.objects.get(code="long_wait")
    e = es.evaluation_submit(invitation=inv, level=2, reasons=[chip], channel="web")
    n = Notification.objects.get(template="evaluation_low_score")
    assert n.options["mentioned_list"] == ["supervisor_a"]
    assert "不满意" in n.body and "等候时间长" in n.body and t.number in n.body
    fu = FollowUp.objects.get(evaluation=e)
    clock = Clock.objects.get(object_id=fu.pk, target=Target.EVALUATION_FOLLOW_UP)
    assert clock.deadline == e.submitted_at + timedelta(hours=24) or clock.deadline > e.submitted_at
    es.follow_up_complete(follow_up=fu, actor=ev["supervisor_a"], outcome="explained", note="已致电解释")
    clock.refresh_from_db()
    assert clock.status == ClockStatus.MET


def test_sup_1_2_neutral_score_opens_no_follow_up(ev):
    t = finish(ev)
    e = es.evaluation_submit(invitation=es.invitation_create(ticket=t), level=3, channel="web")
    assert not FollowUp.objects.filter(evaluation=e).exists()


def test_sup_1_2_follow_up_bad_input_and_rights(ev):
    t = finish(ev)
    e = es.evaluation_submit(invitation=es.invitation_create(ticket=t), level=1, channel="web")
    fu = e.follow_up
    from lib.errors import Forbidden, NotFound, ServiceError

    with pytest.raises(ServiceError):
        es.follow_up_complete(follow_up=fu, actor=ev["manager_a"], outcome="nope", note="已联系")
    with pytest.raises(ServiceError):
        es.follow_up_complete(follow_up=fu, actor=ev["manager_a"], outcome="resolved", note="")
    with pytest.raises((Forbidden, NotFound)):
        es.follow_up_complete(follow_up=fu, actor=ev["clerk_a"], outcome="resolved", note="已联系客户")
    with pytest.raises((Forbidden, NotFound)):
        es.follow_up_complete(follow_up=fu, actor=ev["clerk_b"], outcome="resolved", note="已联系客户")


def test_sup_1_2_sms_invitation_when_the_ticket_has_a_phone(ev):
    t = finish(ev, customer=_customer(ev))
    inv = es.invitation_create(ticket=t)
    assert inv.sms_sent
    n = Notification.objects.get(template="evaluation_invite_sms")
    assert n.recipient == PHONE and "回复0不参与" in n.body
    assert PHONE not in n.body and "王" not in n.body  # no PI in the text
    link = n.body.split("评价：")[-1]
    assert PHONE not in link and "/evaluations/r/" in link


def test_sup_1_2_no_sms_without_a_phone(ev):
    inv = es.invitation_create(ticket=finish(ev))
    assert not inv.sms_sent and not Notification.objects.filter(template="evaluation_invite_sms").exists()


@pytest.mark.parametrize(
    "text,expected",
    [
        ("5", ("level", 5)),
        (" 1 ", ("level", 1)),
        ("3", ("level", 3)),
        ("0", ("decline", None)),
        ("6", ("invalid", None)),
        ("好", ("invalid", None)),
        ("", ("invalid", None)),
        ("45", ("invalid", None)),
    ],
)
def test_sup_1_2_sms_reply_parsing(text, expected):
    assert parse_reply(text) == expected


def test_sup_1_2_sms_reply_valid_then_duplicate_ignored(ev, gateway):
    t = finish(ev, customer=_customer(ev))
    es.invitation_create(ticket=t)
    assert sms_inbound(token=gateway[0], sender=PHONE, text="4")["result"] == "answered"
    e = Evaluation.objects.get(ticket=t)
    assert e.level == 4 and e.channel == "sms"
    assert sms_inbound(token=gateway[0], sender=PHONE, text="1")["result"] == "ignored"
    assert Evaluation.objects.get(ticket=t).level == 4


def test_sup_1_2_sms_out_of_range_gets_help_then_valid(ev, gateway):
    t = finish(ev, customer=_customer(ev))
    es.invitation_create(ticket=t)
    assert sms_inbound(token=gateway[0], sender=PHONE, text="9")["result"] == "help"
    help_sms = Notification.objects.get(template="evaluation_help_sms")
    assert help_sms.recipient == PHONE
    assert sms_inbound(token=gateway[0], sender=PHONE, text="5")["result"] == "answered"


def test_sup_1_2_sms_decline_and_unknown_number(ev, gateway):
    t = finish(ev, customer=_customer(ev))
    es.invitation_create(ticket=t)
    assert sms_inbound(token=gateway[0], sender="13800000000", text="5")["result"] == "unknown"
    assert sms_inbound(token=gateway[0], sender="abc", text="5")["result"] == "unknown"
    assert sms_inbound(token=gateway[0], sender=PHONE, text="0")["result"] == "declined"
    assert EvaluationInvitation.objects.get(ticket=t).status == InvitationStatus.DECLINED
    assert sms_inbound(token=gateway[0], sender=PHONE, text="5")["result"] == "ignored"
    assert not Evaluation.objects.filter(ticket=t).exists()


def test_sup_1_2_sms_webhook_api(ev, gateway):
    t = finish(ev, customer=_customer(ev))
    es.invitation_create(ticket=t)
    c = Client()
    url = "/api/v1/evaluations/sms/inbound"
    assert c.post(url, {"sender": PHONE, "text": "5"}, content_type="application/json").status_code == 401
    kiosk, raw_kiosk = token_create(hall=ev["hall"], kind=TokenKind.KIOSK, name="k")
    r = c.post(
        url,
        {"sender": PHONE, "text": "5"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw_kiosk}",
    )
    assert r.status_code == 403
    auth = {"HTTP_AUTHORIZATION": f"Bearer {gateway[1]}"}
    r = c.post(url, {"sender": PHONE, "text": "5"}, content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["result"] == "answered"
    r = c.post(url, {"sender": PHONE}, content_type="application/json", **auth)
    assert r.status_code == 422


def test_sup_1_2_phone_link_page_signed_and_expiring(ev):
    t = finish(ev, customer=_customer(ev))
    inv = es.invitation_create(ticket=t)
    token = es.link_token(inv)
    assert PHONE not in token
    c = Client()
    assert c.get(f"/evaluations/r/{token}/").status_code == 200
    assert c.get(f"/evaluations/r/{token}x/").status_code == 404
    assert c.post(f"/evaluations/r/{token}/", {"level": "7"}).status_code == 400
    r = c.post(f"/evaluations/r/{token}/", {"level": "3", "comment": "请拨打13912345678联系我"})
    assert r.status_code == 200 and "感谢" in r.content.decode()
    e = Evaluation.objects.get(ticket=t)
    assert e.channel == "web" and "1391234" not in e.masked_comment
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        assert c.get(f"/evaluations/r/{token}/").status_code == 410


def test_sup_1_2_phone_link_refuses_a_staff_session(ev):
    inv = es.invitation_create(ticket=finish(ev))
    c = Client()
    c.force_login(ev["clerk_a"])
    r = c.post(f"/evaluations/r/{es.link_token(inv)}/", {"level": "5"})
    assert r.status_code == 403 and not Evaluation.objects.filter(ticket=inv.ticket).exists()


def test_sup_1_2_same_phone_many_tickets_a_day_is_flagged(ev, gateway):
    customer = _customer(ev)
    results = []
    for _i in range(4):
        t = finish(ev, customer=customer)
        es.invitation_create(ticket=t)
        results.append(sms_inbound(token=gateway[0], sender=PHONE, text="5"))
    evs = list(Evaluation.objects.order_by("submitted_at", "pk"))
    assert [e.valid for e in evs] == [True, True, True, False]
    assert evs[-1].exclusion == Exclusion.PHONE_REPEAT and "第4次" in evs[-1].exclusion_note
    es.evaluation_review(evaluation=evs[-1], actor=ev["manager_a"], accept=True)
    evs[-1].refresh_from_db()
    assert evs[-1].valid and evs[-1].review == "accepted"


def test_sup_1_2_app_submits_with_the_tickets_token(ev):
    token, raw = token_create(hall=ev["hall"], kind=TokenKind.APP, name="APP")
    t = finish(ev)
    c = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = "/api/v1/evaluations/app"
    r = c.post(url, {"ticket_token": "nope", "level": 5}, content_type="application/json", **auth)
    assert r.status_code == 404
    r = c.post(url, {"ticket_token": t.public_token, "level": 5}, content_type="application/json", **auth)
    assert r.status_code == 201, r.content
    r = c.post(url, {"ticket_token": t.public_token, "level": 1}, content_type="application/json", **auth)
    assert r.status_code == 409
    assert Evaluation.objects.get(ticket=t).channel == "app"
