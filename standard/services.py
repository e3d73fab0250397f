"""Publishing and reading the service standard (SUP-3). Every computation asks for the version in force at T."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from lib.errors import NotFound, ServiceError
from standard.models import StandardParameter, StandardVersion

RETENTION_FLOOR_YEARS = 3  # CMP-3: complaint files are kept at least three years after closure
V1_PATH = Path(__file__).resolve().parent / "data" / "v1.json"


class Standard:
    """A read-only view of one version's parameters, e.g. ``standard["handling.basic_minutes"]``."""

    def __init__(self, version: StandardVersion, values: dict[str, object]):
        self.version = version
        self.values = values

    def __getitem__(self, code: str):
        return self.values[code]

    def get(self, code: str, default=None):
        return self.values.get(code, default)


def standard_in_force(*, at: datetime | None = None) -> Standard:
    at = at or timezone.now()
    version = (
        StandardVersion.objects.filter(effective_from__lte=at)
        .order_by("-effective_from")
        .prefetch_related("parameters")
        .first()
    )
    if version is None:
        raise NotFound("no_standard", _("该时间没有生效的服务规范版本"))
    return Standard(version, version.values())


@transaction.atomic
def standard_publish(
    *, number: int, title: str, effective_from: datetime, parameters: list[dict], notes: str = "", user=None
) -> StandardVersion:
    """Publish a version. It is in force from ``effective_from`` until the next one starts, so versions never
    overlap; a version may not start at or before one already in force (history is not rewritten)."""
    if timezone.is_naive(effective_from):
        raise ServiceError("naive_datetime", _("生效时间必须带时区"), field="effective_from")
    latest = StandardVersion.objects.select_for_update().order_by("-effective_from").first()
    if latest is not None and effective_from <= latest.effective_from:
        raise ServiceError(
            "standard_overlap", _("新版本的生效时间必须晚于现行最新版本的生效时间"), field="effective_from"
        )
    if latest is not None and number <= latest.number:
        raise ServiceError("standard_number", _("版本号必须递增"), field="number")
    if not parameters:
        raise ServiceError("standard_empty", _("规范版本必须包含参数"), field="parameters")
    for p in parameters:
        if p["code"] == "archive.complaint_years" and float(p["value"]) < RETENTION_FLOOR_YEARS:
            raise ServiceError(
                "retention_floor", _("投诉档案保存年限不得少于3年（CMP-3）"), field="archive.complaint_years"
            )
    try:
        version = StandardVersion.objects.create(
            number=number, title=title, effective_from=effective_from, notes=notes, published_by=user
        )
    except IntegrityError:
        raise ServiceError("standard_overlap", _("该生效时间或版本号已存在"), field="effective_from")
    StandardParameter.objects.bulk_create(
        [
            StandardParameter(
                version=version,
                code=p["code"],
                clause=p["clause"],
                label=p["label"],
                value=p["value"],
                unit=p.get("unit", ""),
            )
            for p in parameters
        ]
    )
    return version


def standard_seed_v1() -> StandardVersion:
    existing = StandardVersion.objects.filter(number=1).first()
    if existing:
        return existing
    data = json.loads(V1_PATH.read_text(encoding="utf-8"))
    return standard_publish(
        number=data["number"],
        title=data["title"],
        effective_from=parse_datetime(data["effective_from"]),
        parameters=data["parameters"],
        notes=data["notes"],
    )


def standard_compare(*, left: StandardVersion, right: StandardVersion) -> list[dict]:
    """Rows for a side-by-side view of two versions."""
    lp = {p.code: p for p in left.parameters.all()}
    rp = {p.code: p for p in right.parameters.all()}
    rows = []
    for code in sorted(set(lp) | set(rp)):
        a, b = lp.get(code), rp.get(code)
        ref = a or b
        rows.append(
            {
                "code": code,
                "clause": ref.clause,
                "label": ref.label,
                "unit": ref.unit,
                "unit_label": ref.unit_label,
                "left": a.value if a else None,
                "right": b.value if b else None,
                "left_label": a.value_label if a else None,
                "right_label": b.value_label if b else None,
                "changed": (a.value if a else None) != (b.value if b else None),
            }
        )
    return rows
