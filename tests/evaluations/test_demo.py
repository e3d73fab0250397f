"""The demo gives the evaluation pages a living month (SUP-1.2), idempotently."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from evaluations import report
from evaluations.models import Evaluation, EvaluationInvitation, FollowUp, RatingPad


@pytest.mark.django_db
def test_demo_loads_a_month_of_evaluations_idempotently():
    call_command("demo", "--quiet")
    n = Evaluation.objects.count()
    call_command("demo", "--quiet")
    assert Evaluation.objects.count() == n and n > 300
    assert EvaluationInvitation.objects.count() > n  # some never answered
    assert RatingPad.objects.exists() and FollowUp.objects.exists()
    assert Evaluation.objects.filter(review="pending", exclusion="pad_burst").exists()
    data = report.monthly(
        evaluations=Evaluation.objects.all(),
        invitations=EvaluationInvitation.objects.all(),
        month=timezone.localdate(),
        group="hall",
    )
    assert data["totals"]["valid"] == 0 or 70 <= data["totals"]["satisfaction"] <= 98
