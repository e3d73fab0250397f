"""SUP-1.1: two tablets submitting the same self-inspection at once — exactly one wins (conditional UPDATE), the
other gets a conflict and nothing is written twice."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections

from inspections import services as s
from inspections.models import Answer, Rectification
from lib.errors import ServiceError
from tests.inspections.conftest import all_pass


@pytest.mark.django_db(transaction=True)
def test_sup_1_1_concurrent_submissions_one_wins(world):
    run = s.inspection_start(hall=world["hall_a"], actor=world["manager_a"])
    answers = all_pass(run.snapshot, **{"STF-PLAIN": {"result": "fail"}})
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        try:
            barrier.wait()
            s.inspection_submit(inspection=run, answers=dict(answers), actor=world["manager_a"])
            outcomes.append("ok")
        except ServiceError as exc:
            outcomes.append(exc.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already_submitted", "ok"]
    assert Answer.objects.filter(inspection=run).count() == len(run.snapshot)
    assert Rectification.objects.filter(inspection=run).count() == 1
