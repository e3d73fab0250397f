"""Version 1 of the service standard exists after ``migrate`` alone (a production install runs no demo).

The data file is read when the migration runs, not frozen into it: parameters appended to ``standard/data/v1.json``
later reach an install that already has version 1, because the operation adds every code version 1 lacks. Values
an install already has are never overwritten (HQ may have corrected them), and nothing is removed."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import migrations
from django.utils.dateparse import parse_datetime

V1_PATH = Path(__file__).resolve().parent.parent / "data" / "v1.json"


def seed_v1(apps, schema_editor):
    StandardVersion = apps.get_model("standard", "StandardVersion")
    StandardParameter = apps.get_model("standard", "StandardParameter")
    data = json.loads(V1_PATH.read_text(encoding="utf-8"))
    db = schema_editor.connection.alias
    version = StandardVersion.objects.using(db).filter(number=data["number"]).first()
    if version is None:
        if StandardVersion.objects.using(db).exists():
            return  # an install that started from another first version keeps its own history
        version = StandardVersion.objects.using(db).create(
            number=data["number"],
            title=data["title"],
            effective_from=parse_datetime(data["effective_from"]),
            notes=data["notes"],
        )
    # The calendar parameter's label once quoted its raw values (clock=…, business=…): use the data file's wording.
    StandardParameter.objects.using(db).filter(
        version=version, code="sla.calendar", label="时限日历(clock=自然小时, business=营业时间)"
    ).update(label=next((p["label"] for p in data["parameters"] if p["code"] == "sla.calendar"), "时限日历"))
    have = set(StandardParameter.objects.using(db).filter(version=version).values_list("code", flat=True))
    StandardParameter.objects.using(db).bulk_create(
        [
            StandardParameter(
                version=version,
                code=p["code"],
                clause=p["clause"],
                label=p["label"],
                value=p["value"],
                unit=p.get("unit", ""),
            )
            for p in data["parameters"]
            if p["code"] not in have
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("standard", "0001_initial")]

    operations = [migrations.RunPython(seed_v1, migrations.RunPython.noop, elidable=False)]
