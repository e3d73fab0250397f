"""SUP-2: Flag.training_ref (text) → Flag.retraining (a foreign key to the training assignment), data kept both ways."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("kpi", "0001_initial"), ("training", "0001_initial")]
AFTER = [("kpi", "0002_flag_retraining_fk")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_sup2_training_ref_becomes_a_foreign_key_and_back(world):
    from training.models import RetrainingAssignment

    w = world
    assignment = RetrainingAssignment.objects.create(
        clerk=w["clerk_a"], hall=w["hall_a"], reason="服务规范再培训", assigned_by=w["manager_a"]
    )
    old = _migrate(BEFORE)
    Flag = old.get_model("kpi", "Flag")
    common = {"subject": "clerk", "hall_id": w["hall_a"].pk, "region_id": w["hall_a"].region_id}
    linked = Flag.objects.create(
        **common,
        clerk_id=w["clerk_a"].pk,
        kpi="on_time",
        month=date(2026, 9, 1),
        training_ref=str(assignment.pk),
    )
    dangling = Flag.objects.create(
        **common, clerk_id=w["clerk_a"].pk, kpi="satisfaction", month=date(2026, 9, 1), training_ref="999999"
    )
    new = _migrate(AFTER)
    Flag = new.get_model("kpi", "Flag")
    assert Flag.objects.get(pk=linked.pk).retraining_id == assignment.pk
    assert Flag.objects.get(pk=dangling.pk).retraining_id is None  # it pointed at nothing
    old = _migrate(BEFORE)
    Flag = old.get_model("kpi", "Flag")
    assert Flag.objects.get(pk=linked.pk).training_ref == str(assignment.pk)
    assert Flag.objects.get(pk=dangling.pk).training_ref == ""
    # Back to the latest state of every app, not just 0002: later tests need kpi_monthrollup (0003) and the rest.
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
