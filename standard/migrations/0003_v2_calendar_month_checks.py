"""Version 2 of the service standard (ENV-2.1): the monthly facility check is a calendar month, so
``facility.monthly_check_days`` (30 days) is retired; ``facility.monthly_check_rule`` (``FREQ=MONTHLY``) stays.

A production install runs only ``migrate``: this migration creates version 2 from standard/data/v2.json, and the
``post_migrate`` sync (standard/apps.py) runs the same function after every later ``migrate``. Version 2 is version 1
as the install has it (HQ may have corrected a value) minus the retired codes, plus the data file's ``set``; a code
that version 1 gains later from v1.json reaches version 2 too (a parameter in force is never missing). It starts at
the data file's date, or at the moment it is installed if that date has passed (never retroactively). An install
where HQ has already published a version 2 (or any later one) keeps its own history."""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path

from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lib.fullwidth import fix

V1_PATH = Path(__file__).resolve().parent.parent / "data" / "v1.json"
V2_PATH = Path(__file__).resolve().parent.parent / "data" / "v2.json"


def seed_derived(apps, schema_editor, path: Path = V2_PATH) -> None:
    StandardVersion = apps.get_model("standard", "StandardVersion")
    StandardParameter = apps.get_model("standard", "StandardParameter")
    data = json.loads(path.read_text(encoding="utf-8"))
    db = schema_editor.connection.alias
    versions = StandardVersion.objects.using(db)
    base = versions.filter(number=data["based_on"]).first()
    if base is None:
        return  # an install that started from another first version keeps its own history
    version = versions.filter(number=data["number"]).first()
    if version is None:
        if versions.filter(number__gt=data["based_on"]).exists():
            return  # HQ has published versions of its own: theirs to revise
        start = max(parse_datetime(data["effective_from"]), timezone.now())
        if versions.filter(effective_from__gte=start).exists():
            return
        version = versions.create(
            number=data["number"], title=data["title"], effective_from=start, notes=data["notes"]
        )
    elif fix(version.title) != data["title"]:
        return  # HQ's own version with this number: not ours to complete
    else:
        # Ours, perhaps with the ASCII marks the data file once had: the labels as version 1's data file has them,
        # with this file's own parameters over them.
        shipped = json.loads(V1_PATH.read_text(encoding="utf-8"))["parameters"] + data.get("set", [])
        labels = {p["code"]: p["label"] for p in shipped}
        adopt = import_module("standard.migrations.0002_seed_v1").adopt_punctuation
        adopt(apps, db, version, title=data["title"], notes=data["notes"], labels=labels)
    retired = set(data.get("retire", []))
    explicit = {p["code"]: p for p in data.get("set", [])}
    have = set(StandardParameter.objects.using(db).filter(version=version).values_list("code", flat=True))
    rows = [
        StandardParameter(
            version=version, code=p.code, clause=p.clause, label=p.label, value=p.value, unit=p.unit
        )
        for p in StandardParameter.objects.using(db).filter(version=base).order_by("code")
        if p.code not in have and p.code not in retired and p.code not in explicit
    ]
    rows += [
        StandardParameter(
            version=version,
            code=p["code"],
            clause=p["clause"],
            label=p["label"],
            value=p["value"],
            unit=p.get("unit", ""),
        )
        for code, p in explicit.items()
        if code not in have
    ]
    StandardParameter.objects.using(db).bulk_create(rows)


def seed_v2(apps, schema_editor):
    seed_derived(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("standard", "0002_seed_v1")]

    operations = [migrations.RunPython(seed_v2, migrations.RunPython.noop, elidable=False)]
