"""ENV-2.1 / SUP-3: version 2 of the service standard retires ``facility.monthly_check_days`` (a "monthly" check is a
calendar month, not 30 days) with its reason recorded, and a production install that runs only ``migrate`` gets it."""

from __future__ import annotations

import importlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils.dateparse import parse_datetime

from standard.models import StandardParameter, StandardVersion
from standard.services import standard_in_force, standard_publish

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2] / "standard" / "data"
V1 = json.loads((ROOT / "v1.json").read_text("utf-8"))
V2 = json.loads((ROOT / "v2.json").read_text("utf-8"))
SH = ZoneInfo("Asia/Shanghai")
seed = importlib.import_module("standard.migrations.0003_v2_calendar_month_checks")
RETIRED = "facility.monthly_check_days"


def _run_migration():
    seed.seed_v2(django_apps, SimpleNamespace(connection=connection))


def _codes(version) -> set[str]:
    return set(version.parameters.values_list("code", flat=True))


def test_env21_migrate_alone_gives_version_2_without_the_30_day_month():
    """The test database was built by ``migrate`` only: v2 is there, dated from the data file."""
    v1, v2 = StandardVersion.objects.get(number=1), StandardVersion.objects.get(number=2)
    assert v2.effective_from >= parse_datetime(V2["effective_from"])
    assert _codes(v2) == _codes(v1) - {RETIRED}
    assert v2.parameters.get(code="facility.monthly_check_rule").value == "FREQ=MONTHLY"
    assert "自然月" in v2.notes and "30天" in v2.notes  # the reason is recorded with the version


def test_env21_v1_keeps_its_history_and_v2_is_in_force_from_its_date():
    v2 = StandardVersion.objects.get(number=2)
    before = standard_in_force(at=v2.effective_from - timedelta(seconds=1))
    after = standard_in_force(at=v2.effective_from + timedelta(days=40))
    assert before.version.number == 1 and before[RETIRED] == 30
    assert after.version.number == 2 and after.get(RETIRED) is None
    assert after["facility.monthly_check_rule"] == "FREQ=MONTHLY"
    for code, value in before.values.items():
        if code != RETIRED:
            assert after[code] == value, code


def test_env21_rerunning_migrate_changes_nothing():
    v2 = StandardVersion.objects.get(number=2)
    count = v2.parameters.count()
    _run_migration()
    _run_migration()
    assert StandardVersion.objects.count() == 2 and v2.parameters.count() == count


def test_env21_a_code_v1_gains_later_reaches_v2_but_the_retired_one_does_not():
    v1, v2 = StandardVersion.objects.get(number=1), StandardVersion.objects.get(number=2)
    v2.parameters.filter(
        code="handling.warn_share"
    ).delete()  # as if appended to v1.json after v2 was installed
    v1.parameters.filter(code="handling.warn_share").update(
        value=0.7
    )  # HQ's correction of v1 is what v2 copies
    _run_migration()
    assert v2.parameters.get(code="handling.warn_share").value == 0.7
    assert not v2.parameters.filter(code=RETIRED).exists()


def test_env21_an_install_after_the_date_starts_v2_when_installed_not_retroactively(time_machine):
    StandardVersion.objects.filter(number=2).delete()
    late = parse_datetime(V2["effective_from"]) + timedelta(days=45, hours=3)
    time_machine.move_to(late, tick=False)
    _run_migration()
    assert StandardVersion.objects.get(number=2).effective_from == late


def test_env21_hq_s_own_version_2_is_left_alone():
    StandardVersion.objects.filter(number=2).delete()
    v1 = StandardVersion.objects.get(number=1)
    params = [
        {"code": p.code, "clause": p.clause, "label": p.label, "value": p.value, "unit": p.unit}
        for p in v1.parameters.all()
    ]
    own = standard_publish(
        number=2, title="总部修订版", effective_from=datetime(2030, 1, 1, tzinfo=SH), parameters=params
    )
    _run_migration()
    own.refresh_from_db()
    assert own.title == "总部修订版" and own.parameters.filter(code=RETIRED).exists()
    assert StandardVersion.objects.count() == 2


def test_env21_no_version_1_means_no_version_2():
    StandardVersion.objects.all().delete()
    _run_migration()
    assert not StandardVersion.objects.exists()
    assert not StandardParameter.objects.exists()


def test_env21_data_file_retires_only_codes_v1_has():
    assert set(V2["retire"]) <= {p["code"] for p in V1["parameters"]}
    assert "facility.monthly_check_rule" in {p["code"] for p in V1["parameters"]}


def test_issue10_version_2_installed_with_ascii_marks_takes_the_full_width_wording():
    """Issue 10 §3: the shipped v2 installed before its title and notes were full-width is still ours to complete."""
    v2 = StandardVersion.objects.get(number=2)
    StandardVersion.objects.filter(pk=v2.pk).update(
        title="营业厅客户服务管理规范(第2版)",
        notes=V2["notes"].replace("，", ",").replace("「", "“").replace("」", "”"),
    )
    v2.parameters.filter(code="archive.complaint_years").update(label="投诉档案保存年限(不少于)")
    v2.parameters.filter(code="handling.warn_share").delete()
    _run_migration()
    v2.refresh_from_db()
    assert (v2.title, v2.notes) == (V2["title"], V2["notes"])
    assert v2.parameters.get(code="archive.complaint_years").label == "投诉档案保存年限（不少于）"
    assert v2.parameters.filter(code="handling.warn_share").exists()
