"""Catalogue API: business types with materials (BIZ-1.1) and the plain-language glossary (STF-2.2)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from catalog.models import BusinessType, RequiredMaterial
from catalog.selectors import glossary_search, standard_or_none, time_limit_in_force
from halls.api import error_responses
from lib.errors import NotFound
from staff.web import api_halls, api_token

router = Router()


class MaterialOut(Schema):
    name: str
    mandatory: bool
    how_to_obtain: str


class BusinessTypeOut(Schema):
    code: str
    name: str
    name_en: str
    category: str
    ticket_prefix: str
    time_limit_minutes: int | None = Field(
        description="本业务单独设定的时限（分钟），空表示按规范 / own override"
    )
    time_limit_in_force_minutes: int | None = Field(
        description="按现行规范的办理时限（分钟），咨询类为空 / time limit in force (BIZ-2.2)"
    )
    process_steps: list[str]
    guide_text: str
    materials: list[MaterialOut]


class GlossaryTermOut(Schema):
    term: str
    plain: str
    plain_en: str


class GlossaryQuery(Schema):
    q: str = Field("", max_length=100, description="关键词 / keyword")


def _types(request):
    qs = BusinessType.objects.filter(is_active=True).prefetch_related(
        Prefetch("materials", queryset=RequiredMaterial.objects.order_by("sort_order", "pk"))
    )
    if api_token(request) is not None:
        # A kiosk or display shows only what its own hall offers.
        return qs.filter(halls__in=api_halls(request)).distinct()
    return qs.for_user(request.user)


def _bt_out(bt: BusinessType, standard) -> dict:
    return {
        "code": bt.code,
        "name": bt.name,
        "name_en": bt.name_en,
        "category": bt.category,
        "ticket_prefix": bt.ticket_prefix,
        "time_limit_minutes": bt.time_limit_minutes,
        "time_limit_in_force_minutes": time_limit_in_force(bt, standard),
        "process_steps": [str(s) for s in bt.process_steps or []],
        "guide_text": bt.guide_text,
        "materials": [
            {"name": m.name, "mandatory": m.mandatory, "how_to_obtain": m.how_to_obtain}
            for m in bt.materials.all()
        ],
    }


@router.get(
    "/business-types",
    response={200: list[BusinessTypeOut], **error_responses()},
    summary="业务类型及所需材料 / Business types",
)
def business_type_list(request):
    standard = standard_or_none()
    return [_bt_out(bt, standard) for bt in _types(request)]


@router.get(
    "/business-types/{code}",
    response={200: BusinessTypeOut, **error_responses(404)},
    summary="业务类型详情 / One business type",
)
def business_type_detail(request, code: str):
    bt = _types(request).filter(code=code).first()
    if bt is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return _bt_out(bt, standard_or_none())


@router.get(
    "/glossary",
    response={200: list[GlossaryTermOut], **error_responses(422)},
    summary="通俗用语检索 / Plain-language glossary search",
)
def glossary(request, filters: Query[GlossaryQuery]):
    return [
        {"term": t.term, "plain": t.plain, "plain_en": t.plain_en} for t in glossary_search(query=filters.q)
    ]
