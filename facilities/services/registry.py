"""The facility registry (ENV-1, ENV-2): register, edit, retire; every device has a named owner."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.models import (
    Facility,
    FacilityKind,
    FacilityStatus,
    MaintenancePlan,
    Occurrence,
    OccurrenceStatus,
    StatusChange,
)
from facilities.services._common import set_status, text
from lib.errors import Conflict, ServiceError
from staff.access import require


def _responsible(hall, user):
    if user is None:
        raise ServiceError("responsible_required", _("请指定责任人"), field="responsible")
    if not user.is_active or not user.hall_assignments.filter(hall=hall).exists():
        raise ServiceError("responsible_invalid", _("责任人须为本厅在岗员工"), field="responsible")
    return user


def _zone(hall, zone):
    if zone is not None and zone.hall_id != hall.pk:
        raise ServiceError("zone_invalid", _("功能区不属于本厅"), field="zone")
    return zone


def _token(hall, token):
    if token is None:
        return None
    if token.hall_id != hall.pk or token.kind not in {"kiosk", "display"}:
        raise ServiceError("token_invalid", _("只能关联本厅的取号机或显示屏令牌"), field="api_token")
    return token


def facility_register(
    *,
    user,
    hall,
    kind: str,
    asset_code: str,
    label: str,
    responsible,
    zone=None,
    location: str = "",
    api_token=None,
) -> Facility:
    require(user, "facility.manage", hall)
    if kind not in FacilityKind.values:
        raise ServiceError("kind_invalid", _("设施类型不正确"), field="kind")
    asset_code = text(asset_code, field="asset_code", max_length=40, required=True).upper()
    label = text(label, field="label", max_length=100, required=True)
    location = text(location, field="location", max_length=200)
    try:
        with transaction.atomic():
            facility = Facility.objects.create(
                hall=hall,
                zone=_zone(hall, zone),
                kind=kind,
                asset_code=asset_code,
                label=label,
                location=location,
                responsible=_responsible(hall, responsible),
                api_token=_token(hall, api_token),
            )
            StatusChange.objects.create(
                hall=hall, facility=facility, to_status=FacilityStatus.IN_SERVICE, actor=user, reason="登记"
            )
    except IntegrityError:
        raise Conflict("asset_code_taken", _("本厅已有该资产编号"), field="asset_code") from None
    # Plans for every facility of this kind now cover it too: the next sweep regenerates them (duplicates ignored).
    MaintenancePlan.objects.filter(hall=hall, kind=kind, is_active=True).update(generate_from=None)
    return facility


@transaction.atomic
def facility_update(
    *, user, facility: Facility, label=None, location=None, responsible=None, zone=None, api_token=None
) -> Facility:
    require(user, "facility.manage", facility.hall)
    if label is not None:
        facility.label = text(label, field="label", max_length=100, required=True)
    if location is not None:
        facility.location = text(location, field="location", max_length=200)
    if responsible is not None:
        facility.responsible = _responsible(facility.hall, responsible)
    if zone is not None:
        facility.zone = _zone(facility.hall, zone)
    if api_token is not None:
        facility.api_token = _token(facility.hall, api_token)
    facility.save()
    return facility


@transaction.atomic
def facility_retire(*, user, facility: Facility, reason: str = "") -> Facility:
    """Retire a facility: its future open checks go (past ones stay as they were)."""
    require(user, "facility.manage", facility.hall)
    reason = text(reason, field="reason", max_length=200)
    if facility.faults.filter(status__in=["suspected", "open", "under_repair"]).exists():
        raise Conflict("fault_open", _("该设施仍有未处理的故障，请先处理"))
    if not set_status(
        facility,
        FacilityStatus.RETIRED,
        expect=(FacilityStatus.IN_SERVICE,),
        actor=user,
        reason=reason or "报废",
    ):
        raise Conflict("not_in_service", _("只能报废正常使用中的设施"))
    Occurrence.objects.filter(
        facility=facility, status=OccurrenceStatus.OPEN, window_start__gt=timezone.now()
    ).delete()
    return facility
