"""Service standard API (SUP-3): versions, the version in force at T, one version's parameters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema

from halls.api import error_responses
from lib.errors import NotFound, ServiceError
from standard.models import StandardVersion
from standard.services import standard_in_force

router = Router()


class VersionOut(Schema):
    number: int
    title: str
    effective_from: datetime
    published_at: datetime
    notes: str


class ParameterOut(Schema):
    code: str
    clause: str
    label: str
    value: Any
    unit: str


class VersionDetailOut(VersionOut):
    parameters: list[ParameterOut]


class AtQuery(Schema):
    at: datetime | None = None


def _version_out(v: StandardVersion, with_params: bool = False) -> dict:
    out = {
        "number": v.number,
        "title": v.title,
        "effective_from": v.effective_from,
        "published_at": v.published_at,
        "notes": v.notes,
    }
    if with_params:
        out["parameters"] = [
            {"code": p.code, "clause": p.clause, "label": p.label, "value": p.value, "unit": p.unit}
            for p in v.parameters.all()
        ]
    return out


@router.get(
    "/versions",
    response={200: list[VersionOut], **error_responses()},
    summary="规范版本列表 / Standard versions",
)
def version_list(request):
    return [_version_out(v) for v in StandardVersion.objects.order_by("-effective_from")]


@router.get(
    "/in-force",
    response={200: VersionDetailOut, **error_responses(400, 404, 422)},
    summary="某时刻生效的版本（?at=ISO 8601） / Version in force at T",
)
def in_force(request, filters: Query[AtQuery]):
    at = filters.at
    if at is not None and timezone.is_naive(at):
        raise ServiceError("naive_datetime", _("时间必须带时区"), field="at")
    standard = standard_in_force(at=at)
    return _version_out(standard.version, with_params=True)


@router.get(
    "/versions/{int:number}",
    response={200: VersionDetailOut, **error_responses(404)},
    summary="版本参数 / One version with its parameters",
)
def version_detail(request, number: int):
    version = StandardVersion.objects.prefetch_related("parameters").filter(number=number).first()
    if version is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return _version_out(version, with_params=True)
