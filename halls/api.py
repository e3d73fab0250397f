"""Halls API: the halls the caller may read, with zones and counters (a device token: its own hall only)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from halls.models import Counter, Hall, Zone
from lib.errors import NotFound
from staff.web import api_halls

router = Router()


class ErrorOut(Schema):
    """Every 4xx answer of the API (see ``tingwu.api``)."""

    code: str
    message: str
    message_en: str


class ValidationErrorOut(ErrorOut):
    errors: list[dict] = []


def error_responses(*statuses: int) -> dict:
    """The documented error answers of an operation: 401 always (each needs a session or a token) plus ``statuses``
    (422 when it takes a query or a body)."""
    return {status: ValidationErrorOut if status == 422 else ErrorOut for status in (401, *statuses)}


class ZoneOut(Schema):
    id: int
    kind: str
    name: str
    seats: int
    charging_points: int
    reading_material: bool


class CounterOut(Schema):
    id: int
    number: int
    name: str
    zone_id: int | None
    serves_all: bool
    business_type_codes: list[str]
    is_accessible: bool
    status: str
    pause_reason: str = Field("", description="暂停原因（暂停时）/ why the counter is paused")


class HallOut(Schema):
    id: int
    code: str
    name: str
    region: str
    address: str
    is_active: bool


class HallDetailOut(HallOut):
    opening_hours: dict[str, list[list[str]]]
    complaint_phone: str
    complaint_wecom: str
    complaint_window: str
    zones: list[ZoneOut]
    counters: list[CounterOut]


def _hall_out(h: Hall) -> dict:
    return {
        "id": h.pk,
        "code": h.code,
        "name": h.name,
        "region": h.region.name,
        "address": h.address,
        "is_active": h.is_active,
    }


@router.get(
    "/",
    response={200: list[HallOut], **error_responses()},
    summary="可见营业厅列表 / Halls visible to the caller",
)
def hall_list(request):
    return [_hall_out(h) for h in api_halls(request).select_related("region").order_by("code")]


@router.get(
    "/{int:hall_id}",
    response={200: HallDetailOut, **error_responses(404)},
    summary="营业厅详情（功能区、窗口） / Hall with zones and counters",
)
def hall_detail(request, hall_id: int):
    hall = (
        api_halls(request)
        .select_related("region")
        .prefetch_related(
            Prefetch("zones", queryset=Zone.objects.order_by("kind", "name")),
            Prefetch(
                "counters", queryset=Counter.objects.order_by("number").prefetch_related("business_types")
            ),
        )
        .filter(pk=hall_id)
        .first()
    )
    if hall is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return _hall_out(hall) | {
        "opening_hours": hall.opening_hours,
        "complaint_phone": hall.complaint_phone,
        "complaint_wecom": hall.complaint_wecom,
        "complaint_window": hall.complaint_window,
        "zones": [
            {
                "id": z.pk,
                "kind": z.kind,
                "name": z.name,
                "seats": z.seats,
                "charging_points": z.charging_points,
                "reading_material": z.reading_material,
            }
            for z in hall.zones.all()
        ],
        "counters": [
            {
                "id": c.pk,
                "number": c.number,
                "name": c.name,
                "zone_id": c.zone_id,
                "serves_all": c.serves_all,
                "business_type_codes": [bt.code for bt in c.business_types.all()],
                "is_accessible": c.is_accessible,
                "status": c.status,
                "pause_reason": c.pause_reason,
            }
            for c in hall.counters.all()
        ],
    }
