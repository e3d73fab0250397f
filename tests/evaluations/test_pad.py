"""SUP-1.2 rating pad: pairing, lights up on its counter's finish, one answer within the window, anti-gaming."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from evaluations import services as es
from evaluations.models import Evaluation, EvaluationInvitation, Exclusion, InvitationStatus
from evaluations.views.pad import COOKIE
from lib.errors import Forbidden
from queueing import services as qs
from tests.evaluations.conftest import finish


@pytest.fixture
def pad(ev):
    p, raw = es.rating_pad_create(counter=ev["c1"], actor=ev["manager_a"])
    client = Client()
    r = client.post("/evaluations/pad/pair/", {"token": raw})
    assert r.status_code == 302 and COOKIE in r.cookies
    return {"pad": p, "raw": raw, "client": client}


def test_sup_1_2_pad_pairing_refuses_a_wrong_token(ev):
    r = Client().post("/evaluations/pad/pair/", {"token": "tw_nope"})
    assert r.status_code == 400
    assert Client().get("/evaluations/pad/").status_code == 302  # unpaired → pairing page


def test_sup_1_2_only_a_manager_provisions_a_pad(ev):
    with pytest.raises(Forbidden):
        es.rating_pad_create(counter=ev["c1"], actor=ev["clerk_a"])


def test_sup_1_2_pad_idle_then_lit_with_clerk_then_answer_then_idle(ev, pad):
    c = pad["client"]
    assert c.get("/evaluations/pad/").status_code == 200
    r = c.get("/evaluations/pad/panel")
    assert 'data-pad-state="idle"' in r.content.decode()
    t = finish(ev)  # a hot-path-like finish (no hook): the pad invites it itself
    body = c.get("/evaluations/pad/panel").content.decode()
    assert 'data-pad-state="lit"' in body and t.number in body
    profile = ev["clerk_a"].staff_profile
    assert profile.full_name in body and profile.employee_number in body
    reason = es.ReasonChip.objects.get(code="impatient")
    r = c.post(
        "/evaluations/pad/submit",
        {"ticket_id": t.pk, "level": 2, "reasons": [reason.pk], "comment": "太慢了"},
    )
    assert r.status_code == 200 and 'data-pad-state="thanks"' in r.content.decode()
    e = Evaluation.objects.get(ticket=t)
    assert e.level == 2 and e.channel == "pad" and list(e.reasons.all()) == [reason] and e.comment == "太慢了"
    assert 'data-pad-state="idle"' in c.get("/evaluations/pad/panel").content.decode()


def test_sup_1_2_pad_window_closes_and_answer_after_it_is_refused(ev, pad):
    t = finish(ev)
    inv = es.invitation_create(ticket=t)
    with time_machine.travel(inv.pad_until + timedelta(seconds=1)):
        assert 'data-pad-state="idle"' in pad["client"].get("/evaluations/pad/panel").content.decode()
        r = pad["client"].post("/evaluations/pad/submit", {"ticket_id": t.pk, "level": 5})
        assert r.status_code == 409
    assert not Evaluation.objects.filter(ticket=t).exists()
    with time_machine.travel(inv.pad_until - timedelta(seconds=1)):
        assert (
            pad["client"].post("/evaluations/pad/submit", {"ticket_id": t.pk, "level": 5}).status_code == 200
        )


def test_sup_1_2_another_counters_pad_is_refused(ev, pad):
    t = finish(ev, counter=ev["c2"])
    r = pad["client"].post("/evaluations/pad/submit", {"ticket_id": t.pk, "level": 5})
    assert r.status_code == 403 and not Evaluation.objects.filter(ticket=t).exists()


def test_sup_1_2_pad_answer_before_the_ticket_finished_is_refused(ev, pad):
    t = qs.ticket_issue(hall=ev["hall"], business_type=ev["basic"])
    qs.ticket_call_next(counter=ev["c1"], clerk=ev["clerk_a"])
    qs.handling_start(ticket=t, clerk=ev["clerk_a"])
    r = pad["client"].post("/evaluations/pad/submit", {"ticket_id": t.pk, "level": 5})
    assert r.status_code == 409 and "尚未办结" in r.content.decode()
    assert not EvaluationInvitation.objects.filter(ticket=t).exists()


def test_sup_1_2_staff_session_on_the_pad_is_refused(ev, pad):
    t = finish(ev)
    pad["client"].force_login(ev["clerk_a"])
    r = pad["client"].post("/evaluations/pad/submit", {"ticket_id": t.pk, "level": 5})
    assert r.status_code == 403 and not Evaluation.objects.filter(ticket=t).exists()


def test_sup_1_2_bad_input_on_the_pad(ev, pad):
    t = finish(ev)
    c = pad["client"]
    assert c.post("/evaluations/pad/submit", {"ticket_id": t.pk, "level": 9}).status_code == 400
    assert c.post("/evaluations/pad/submit", {"ticket_id": "x", "level": 5}).status_code == 400
    chip = es.ReasonChip.objects.first()
    assert (
        c.post("/evaluations/pad/submit", {"ticket_id": t.pk, "level": 5, "reasons": [chip.pk]}).status_code
        == 400
    )
    assert (
        c.post("/evaluations/pad/submit", {"ticket_id": t.pk, "level": 3, "reasons": [99999]}).status_code
        == 400
    )
    assert (
        c.post("/evaluations/pad/submit", {"ticket_id": t.pk, "level": 3, "comment": "长" * 501}).status_code
        == 400
    )
    assert not Evaluation.objects.filter(ticket=t).exists()
    assert EvaluationInvitation.objects.get(ticket=t).status == InvitationStatus.INVITED


def test_sup_1_2_burst_of_top_scores_on_one_pad_is_flagged_with_the_reason(ev, pad):
    now = timezone.now()
    made = []
    for _i in range(3):
        t = finish(ev)
        inv = es.invitation_create(ticket=t)
        made.append(
            es.pad_submit(
                token=pad["pad"].token, ticket_id=t.pk, level=5, now=inv.invited_at + timedelta(seconds=2)
            )
        )
    assert [e.valid for e in made] == [True, True, False]
    flagged = made[-1]
    assert flagged.exclusion == Exclusion.PAD_BURST and "60秒内第3次" in flagged.exclusion_note
    assert flagged.review == "pending"
    del now
