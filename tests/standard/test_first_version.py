"""SUP-3 on a production install: ``migrate`` alone gives version 1 of the standard (from standard/data/v1.json),
parameters appended to the data file later reach an install that already has v1, and HQ can publish a first version
from the standard page when none exists."""

from __future__ import annotations

import importlib
import json
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from standard.models import StandardParameter, StandardVersion

pytestmark = pytest.mark.django_db

DATA = json.loads((Path(__file__).resolve().parents[2] / "standard" / "data" / "v1.json").read_text("utf-8"))
seed = importlib.import_module("standard.migrations.0002_seed_v1")


def _run_migration():
    # RunPython only reads ``schema_editor.connection``; SQLite refuses a real schema editor inside the test's atomic.
    seed.seed_v1(django_apps, SimpleNamespace(connection=connection))


def test_migrate_alone_leaves_version_1_with_every_parameter_of_the_data_file():
    """SUP-3: the test database was built by ``migrate`` only; no fixture seeded the standard."""
    v1 = StandardVersion.objects.get(number=1)
    assert set(v1.parameters.values_list("code", flat=True)) == {p["code"] for p in DATA["parameters"]}


def test_the_migration_adds_codes_v1_lacks_and_keeps_values_it_has():
    v1 = StandardVersion.objects.get(number=1)
    versions = StandardVersion.objects.count()
    v1.parameters.filter(code="handling.warn_share").delete()
    v1.parameters.filter(code="handling.basic_minutes").update(value=14)
    _run_migration()
    assert v1.parameters.get(code="handling.warn_share").value == 0.8
    assert v1.parameters.get(code="handling.basic_minutes").value == 14
    assert v1.parameters.count() == len(DATA["parameters"])
    assert StandardVersion.objects.count() == versions


def test_the_migration_seeds_v1_when_no_version_exists():
    StandardVersion.objects.all().delete()
    _run_migration()
    assert StandardVersion.objects.get(number=1).parameters.count() == len(DATA["parameters"])


def test_hq_publishes_a_first_version_when_none_exists(client, world):
    StandardVersion.objects.all().delete()
    client.force_login(world["hq"])
    page = client.get(reverse("standard:publish"))
    form = page.context["form"]
    assert form.initial["number"] == 1
    assert len(form.parameter_fields()) == len(DATA["parameters"])
    data = {
        "number": 1,
        "title": DATA["title"],
        "effective_from": (timezone.localtime() + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "notes": "",
    }
    for p in DATA["parameters"]:
        if not isinstance(p["value"], bool):
            data["p__" + p["code"].replace(".", "__")] = (
                json.dumps(p["value"]) if isinstance(p["value"], (list, dict)) else p["value"]
            )
        elif p["value"]:
            data["p__" + p["code"].replace(".", "__")] = "on"
    response = client.post(reverse("standard:publish"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert StandardParameter.objects.filter(version__number=1).count() == len(DATA["parameters"])


def test_an_upgrade_that_runs_only_migrate_gets_parameters_added_to_the_data_file_since():
    """SUP-3: migration 0002 ran long ago; a later ``migrate`` (post_migrate) adds the codes v1.json gained since."""
    from django.core.management.sql import emit_post_migrate_signal

    v1 = StandardVersion.objects.get(number=1)
    v1.parameters.filter(code__in=["facility.fault_repair_hours", "kpi.satisfaction_min_sample"]).delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    codes = set(v1.parameters.values_list("code", flat=True))
    assert {"facility.fault_repair_hours", "kpi.satisfaction_min_sample"} <= codes


def test_issue10_an_install_with_the_old_ascii_wording_takes_the_full_width_one_and_keeps_hq_s_own():
    """Issue 10 §3: v1 installed before the data file's labels were full-width gets them on the next ``migrate``;
    a label HQ reworded is left as it is, and values never change."""
    v1 = StandardVersion.objects.get(number=1)
    StandardVersion.objects.filter(pk=v1.pk).update(title="营业厅客户服务管理规范(第1版)")
    v1.parameters.filter(code="archive.complaint_years").update(label="投诉档案保存年限(不少于)", value=5)
    v1.parameters.filter(code="training.monthly_sessions").update(label="培训(HQ自定)")
    _run_migration()
    v1.refresh_from_db()
    assert v1.title == "营业厅客户服务管理规范（第1版）"
    years = v1.parameters.get(code="archive.complaint_years")
    assert (years.label, years.value) == ("投诉档案保存年限（不少于）", 5)
    assert v1.parameters.get(code="training.monthly_sessions").label == "培训(HQ自定)"
