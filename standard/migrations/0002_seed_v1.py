"""Version 1 of the service standard exists after ``migrate`` alone (a production install runs no demo).

The data file is read when the migration runs, not frozen into it: parameters appended to ``standard/data/v1.json``
later reach an install that already has version 1, because the operation adds every code version 1 lacks. Values
an install already has are never overwritten (HQ may have corrected them), and nothing is removed. Wording that
differs from the data file's only by its punctuation (issue 10 §3: full-width marks, 「」) takes the data file's."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import migrations
from django.utils.dateparse import parse_datetime

from lib.fullwidth import fix

V1_PATH = Path(__file__).resolve().parent.parent / "data" / "v1.json"


def adopt_punctuation(apps, db, version, *, title: str, notes: str, labels: dict[str, str]) -> None:
    """The shipped wording for the version's title, notes and parameter labels that still have the ASCII marks the
    data file once had: only where ``fix(stored)`` is the shipped text, so HQ's own wording is never replaced."""
    StandardParameter = apps.get_model("standard", "StandardParameter")
    for field, shipped in (("title", title), ("notes", notes)):
        stored = getattr(version, field)
        if stored != shipped and fix(stored) == shipped:
            type(version).objects.using(db).filter(pk=version.pk).update(**{field: shipped})
            setattr(version, field, shipped)
    for param in StandardParameter.objects.using(db).filter(version=version, code__in=labels):
        shipped = labels[param.code]
        if param.label != shipped and fix(param.label) == shipped:
            StandardParameter.objects.using(db).filter(pk=param.pk).update(label=shipped)


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
    labels = {p["code"]: p["label"] for p in data["parameters"]}
    adopt_punctuation(apps, db, version, title=data["title"], notes=data["notes"], labels=labels)
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
