"""SUP-1.2: automatic invitation, crediting, once per ticket under concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from evaluations import services as es
from evaluations.models import Evaluation, EvaluationInvitation, InvitationStatus
from lib.errors import Conflict
from queueing import services as qs
from tests import factories as f
from tests.evaluations.conftest import finish


def test_sup_1_2_every_finished_ticket_is_invited_automatically(ev, django_capture_on_commit_callbacks):
    t = finish(ev, capture=django_capture_on_commit_callbacks)
    inv = EvaluationInvitation.objects.get(ticket=t)
    assert inv.status == InvitationStatus.INVITED
    assert inv.clerk == ev["clerk_a"] and inv.counter == ev["c1"] and inv.hall == ev["hall"]
    assert inv.business_type == ev["basic"] and inv.region == ev["region"]
    assert inv.invited_at == t.finished_at and inv.pad_until == t.finished_at + timedelta(seconds=60)


def test_sup_1_2_sweep_invites_finishes_without_the_hook_and_expires(ev):
    t = finish(ev)  # no on_commit run: like a hot-path finish
    assert not EvaluationInvitation.objects.filter(ticket=t).exists()
    assert es.evaluation_sweep()["invited"] == 1
    assert es.evaluation_sweep()["invited"] == 0  # idempotent
    inv = EvaluationInvitation.objects.get(ticket=t)
    result = es.evaluation_sweep(now=inv.expires_at + timedelta(seconds=1))
    assert result["expired"] == 1
    inv.refresh_from_db()
    assert inv.status == InvitationStatus.EXPIRED


def test_sup_1_2_unfinished_ticket_is_not_invited(ev):
    t = qs.ticket_issue(hall=ev["hall"], business_type=ev["basic"])
    es.evaluation_sweep()
    assert not EvaluationInvitation.objects.filter(ticket=t).exists()


def test_sup_1_2_credited_to_the_clerk_who_finished_after_a_transfer(ev):
    clerk2 = f.user("clerk_a2", hall_roles=[(ev["hall"], "clerk")])
    t = qs.ticket_issue(hall=ev["hall"], business_type=ev["basic"])
    qs.ticket_call_next(counter=ev["c1"], clerk=ev["clerk_a"])
    qs.handling_start(ticket=t, clerk=ev["clerk_a"])
    qs.ticket_transfer(ticket=t, actor=ev["clerk_a"], counter=ev["c2"])
    qs.ticket_call_next(counter=ev["c2"], clerk=clerk2)
    t.refresh_from_db()
    qs.handling_start(ticket=t, clerk=clerk2)
    qs.handling_finish(ticket=t, clerk=clerk2, outcome="done", business_types=[ev["basic"]])
    inv = es.invitation_create(ticket=t)
    ev_ = es.evaluation_submit(invitation=inv, level=4, channel="web")
    assert ev_.clerk == clerk2 and ev_.counter == ev["c2"]


def test_sup_1_2_second_answer_is_refused(ev):
    t = finish(ev)
    inv = es.invitation_create(ticket=t)
    es.evaluation_submit(invitation=inv, level=5, channel="web")
    with pytest.raises(Conflict):
        es.evaluation_submit(invitation=EvaluationInvitation.objects.get(pk=inv.pk), level=1, channel="web")
    assert Evaluation.objects.get(ticket=t).level == 5


@pytest.mark.django_db(transaction=True)
def test_sup_1_2_once_per_ticket_under_two_concurrent_submissions(ev):
    t = finish(ev)
    inv = es.invitation_create(ticket=t)
    barrier = threading.Barrier(2)
    results: list = []

    def submit(level):
        try:
            barrier.wait(timeout=10)
            es.evaluation_submit(
                invitation=EvaluationInvitation.objects.get(pk=inv.pk), level=level, channel="web"
            )
            results.append("ok")
        except Conflict:
            results.append("conflict")
        except Exception as exc:  # pragma: no cover - surfaced by the assert
            results.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(lv,)) for lv in (5, 1)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert sorted(results) == ["conflict", "ok"], results
    assert Evaluation.objects.filter(ticket=t).count() == 1
    assert EvaluationInvitation.objects.get(pk=inv.pk).status == InvitationStatus.ANSWERED


def test_sup_1_2_staff_session_refused(ev):
    t = finish(ev)
    inv = es.invitation_create(ticket=t)
    from lib.errors import Forbidden

    with pytest.raises(Forbidden) as exc:
        es.evaluation_submit(invitation=inv, level=5, channel="web", user=ev["clerk_a"])
    assert exc.value.code == "staff_session"


def test_sup_1_2_expired_invitation_refused(ev):
    t = finish(ev)
    inv = es.invitation_create(ticket=t)
    from lib.errors import ServiceError

    with pytest.raises(ServiceError) as exc:
        es.evaluation_submit(invitation=inv, level=5, channel="web", now=timezone.now() + timedelta(hours=49))
    assert exc.value.code == "invitation_expired"


@pytest.mark.django_db(transaction=True)
def test_sup_1_2_the_hooks_lone_insert_outside_a_transaction_returns_the_row_a_race_won(ev):
    """The finish hook's walk-in case inserts without a transaction of its own (issue 14): when the sweep or a pad
    won the race, the unique ticket refuses the second row and the one that won is returned, nothing broken."""
    t = finish(ev)  # no hook ran (no capture): nobody invited yet
    assert not connection.in_atomic_block
    first = es.invitation_create(ticket=t, look_first=False)
    again = es.invitation_create(ticket=t, look_first=False)
    assert again.pk == first.pk and EvaluationInvitation.objects.filter(ticket=t).count() == 1
    assert first.clerk_id == ev["clerk_a"].pk
