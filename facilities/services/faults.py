"""Device faults (ENV-2.2, STF-3.2): report, confirm / dismiss a suspected one, repair, resolve.

A confirmed fault, in one transaction: the facility's status, the maintenance notice on the hall's screens (a floor
announcement, so displays and kiosks already open show it through the bus), a guide with the task
「引导客户至人工窗口」， and the response and repair clocks. Resolving undoes all of it and records the downtime.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.models import (
    ACTIVE_FAULT_STATUSES,
    CONFIRMED_FAULT_STATUSES,
    SELF_SERVICE_KINDS,
    Facility,
    FacilityStatus,
    Fault,
    FaultSource,
    FaultStatus,
)
from facilities.services._common import checked_photos, files_guard, set_status, store_photo, text
from floor import bus
from floor.models import Announcement, AnnouncementKind
from lib.errors import Conflict, ServiceError
from sla.calendars import calendar_for
from sla.models import Target
from sla.services import clock_meet, clock_start
from staff.access import require
from staff.models import DutyShift, HallAssignment, HallRole
from standard.services import standard_in_force

logger = logging.getLogger(__name__)

# ENV-2.2, word for word.
MAINTENANCE_NOTICE = "设备维护中，如需办理业务请至人工窗口或联系工作人员"
GUIDE_TASK = _("引导客户至人工窗口")
SOURCES = set(FaultSource.values)


def _events_after_commit(fault: Fault, *, open_: bool, announcement_id: int | None) -> None:
    data = {
        "fault_id": fault.pk,
        "facility_id": fault.facility_id,
        "kind": fault.facility.kind,
        "open": open_,
        # The greeter tablet stops sending customers to a self-service terminal that is down.
        "self_service": fault.facility.kind in SELF_SERVICE_KINDS,
        "guide_id": fault.guide_id,
    }

    def send():
        if announcement_id:
            bus.publish(
                hall_id=fault.hall_id, kind="announcement.changed", data={"announcement_id": announcement_id}
            )
        bus.publish(hall_id=fault.hall_id, kind="facility.fault", data=data)

    transaction.on_commit(send)


def guide_for(hall, at: datetime):
    """The greeter on duty by the roster (a DutyShift of someone who is a greeter here), else the duty supervisor
    on duty, else None (the SLA ladder then reaches the hall managers)."""
    greeters = HallAssignment.objects.filter(hall=hall, role=HallRole.GREETER, user__is_active=True).values(
        "user_id"
    )
    on_duty = DutyShift.objects.filter(hall=hall, starts_at__lte=at, ends_at__gt=at, user__is_active=True)
    shift = on_duty.filter(user_id__in=greeters).order_by("starts_at", "pk").first()
    if shift is None:
        shift = on_duty.exclude(user_id__in=greeters).order_by("starts_at", "pk").first()
    return shift.user if shift else None


def _activate(fault: Fault, *, actor, now: datetime) -> Fault:
    """The confirmed-fault side effects, inside the caller's transaction."""
    facility = fault.facility
    set_status(
        facility,
        FacilityStatus.FAULT,
        expect=(FacilityStatus.IN_SERVICE,),
        actor=actor,
        reason=str(fault.get_source_display()),
        at=now,
    )
    announcement = Announcement.objects.create(
        hall_id=fault.hall_id,
        kind=AnnouncementKind.NORMAL,
        title=str(_("设备维护中：%(label)s") % {"label": facility.label})[:80],
        body=MAINTENANCE_NOTICE,
        starts_at=now,
        consult_window=str(_("人工窗口")),
        published_by=actor,
    )
    fault.announcement = announcement
    fault.guide = guide_for(facility.hall, now)
    fault.confirmed_at, fault.confirmed_by = now, actor
    fault.save(update_fields=["announcement", "guide", "confirmed_at", "confirmed_by"])
    clock_start(
        subject=fault, target=Target.FACILITY_FAULT_RESPONSE, hall=facility.hall, started_at=now, actor=actor
    )
    clock_start(
        subject=fault, target=Target.FACILITY_FAULT_REPAIR, hall=facility.hall, started_at=now, actor=actor
    )
    _events_after_commit(fault, open_=True, announcement_id=announcement.pk)
    return fault


def fault_report(
    *,
    facility: Facility,
    reported_by,
    description: str,
    photo=None,
    source: str = "staff",
    occurrence=None,
) -> Fault:
    """Anyone on the hall's staff reports a fault (two taps: the facility, what is wrong, optional photo). A person
    who saw it confirms it at once; a silent device is only suspected (``device_silent``, ``reported_by`` None) and
    waits for the duty supervisor. A second report of a known fault adds to it (no second notice)."""
    if source not in SOURCES:
        raise ServiceError("source_invalid", _("报修来源不正确"), field="source")
    if source != FaultSource.DEVICE_SILENT:
        if reported_by is None:
            raise ServiceError("reporter_required", _("请登录后报修"), field="reported_by")
        require(reported_by, "facility.report", facility.hall_id)
    description = text(description, field="description", max_length=500, required=True)
    if facility.status == FacilityStatus.RETIRED:
        raise Conflict("facility_retired", _("该设施已报废"))
    photos = checked_photos([photo] if photo else [], field="photo")
    now = timezone.now()
    suspected = source == FaultSource.DEVICE_SILENT
    with files_guard() as stored, transaction.atomic():
        existing = (
            Fault.objects.select_for_update()
            .filter(facility=facility, status__in=ACTIVE_FAULT_STATUSES)
            .first()
        )
        if existing is not None:
            Fault.objects.filter(pk=existing.pk).update(reports=existing.reports + 1)
            fault = existing
            if existing.status == FaultStatus.SUSPECTED and not suspected:
                fault = _confirm(
                    existing, actor=reported_by, now=now
                )  # a person saw it: no longer a suspicion
        else:
            try:
                with transaction.atomic():
                    fault = Fault.objects.create(
                        hall_id=facility.hall_id,
                        facility=facility,
                        source=source,
                        status=FaultStatus.SUSPECTED if suspected else FaultStatus.OPEN,
                        description=description,
                        reported_by=reported_by,
                        reported_at=now,
                        occurrence=occurrence,
                    )
            except IntegrityError:  # a concurrent report of the same facility won
                return Fault.objects.get(facility=facility, status__in=ACTIVE_FAULT_STATUSES)
            if not suspected:
                _activate(fault, actor=reported_by, now=now)
        for item in photos:
            store_photo(item, hall_id=facility.hall_id, user=reported_by, stored=stored, fault=fault)
    logger.info("fault %s on facility %s (%s)", fault.pk, facility.pk, source)
    return fault


def _confirm(fault: Fault, *, actor, now) -> Fault:
    if not Fault.objects.filter(pk=fault.pk, status=FaultStatus.SUSPECTED).update(status=FaultStatus.OPEN):
        raise Conflict("not_suspected", _("该故障已处理"))
    fault.status = FaultStatus.OPEN
    return _activate(fault, actor=actor, now=now)


@transaction.atomic
def fault_confirm(*, user, fault: Fault) -> Fault:
    """The duty supervisor confirms a suspected fault (a silent kiosk or display)."""
    require(user, "facility.supervise", fault.hall_id)
    return _confirm(fault, actor=user, now=timezone.now())


@transaction.atomic
def fault_dismiss(*, user, fault: Fault, reason: str = "") -> Fault:
    require(user, "facility.supervise", fault.hall_id)
    reason = text(reason, field="reason", max_length=500)
    now = timezone.now()
    if not Fault.objects.filter(pk=fault.pk, status=FaultStatus.SUSPECTED).update(
        status=FaultStatus.DISMISSED, dismissed_at=now, resolved_by=user, resolution=reason
    ):
        raise Conflict("not_suspected", _("只能排除疑似故障"))
    fault.refresh_from_db()
    return fault


@transaction.atomic
def fault_start_repair(*, user, fault: Fault) -> Fault:
    """Someone is on it: the response clock is met."""
    require(user, "facility.supervise", fault.hall_id)
    now = timezone.now()
    if not Fault.objects.filter(pk=fault.pk, status=FaultStatus.OPEN).update(
        status=FaultStatus.UNDER_REPAIR, repair_started_at=now
    ):
        raise Conflict("not_open", _("只能对已确认的故障开始维修"))
    set_status(
        fault.facility, FacilityStatus.UNDER_REPAIR, expect=(FacilityStatus.FAULT,), actor=user, at=now
    )
    clock_meet(subject=fault, target=Target.FACILITY_FAULT_RESPONSE, at=now, actor=user)
    fault.refresh_from_db()
    return fault


@transaction.atomic
def fault_resolve(*, user, fault: Fault, resolution: str = "") -> Fault:
    """Withdraw the notice, release the guide, meet the clocks, record the downtime."""
    require(user, "facility.supervise", fault.hall_id)
    resolution = text(resolution, field="resolution", max_length=500)
    now = timezone.now()
    fault.refresh_from_db()
    if fault.status not in CONFIRMED_FAULT_STATUSES:
        raise Conflict("not_open", _("该故障不在处理中"))
    downtime = int((now - fault.confirmed_at).total_seconds()) if fault.confirmed_at else 0
    if not Fault.objects.filter(pk=fault.pk, status__in=CONFIRMED_FAULT_STATUSES).update(
        status=FaultStatus.RESOLVED,
        resolved_at=now,
        resolved_by=user,
        resolution=resolution,
        guide_released_at=now,
        downtime_seconds=downtime,
    ):
        raise Conflict("not_open", _("该故障不在处理中"))
    set_status(
        fault.facility,
        FacilityStatus.IN_SERVICE,
        expect=(FacilityStatus.FAULT, FacilityStatus.UNDER_REPAIR),
        actor=user,
        reason="修复",
        at=now,
    )
    if fault.announcement_id:
        Announcement.objects.filter(pk=fault.announcement_id, withdrawn_at__isnull=True).update(
            withdrawn_at=now, withdrawn_by=user
        )
    clock_meet(subject=fault, target=Target.FACILITY_FAULT_RESPONSE, at=now, actor=user)
    clock_meet(subject=fault, target=Target.FACILITY_FAULT_REPAIR, at=now, actor=user)
    fault.refresh_from_db()
    _events_after_commit(fault, open_=False, announcement_id=fault.announcement_id)
    return fault


@transaction.atomic
def guide_release(*, user, fault: Fault) -> Fault:
    """The guide is released before the repair (e.g. the queue is empty); the notice stays up."""
    require(user, "facility.supervise", fault.hall_id)
    if not Fault.objects.filter(pk=fault.pk, guide__isnull=False, guide_released_at__isnull=True).update(
        guide_released_at=timezone.now()
    ):
        raise Conflict("no_guide", _("没有需要解除的引导任务"))
    fault.refresh_from_db()
    return fault


def fault_suspect_sweep(*, now: datetime | None = None) -> dict:
    """A paired kiosk or display whose token has not been used for ``facility.device_silent_minutes`` while its
    hall is open becomes a suspected fault (once: the one-active-fault constraint). Closed hours are not silence."""
    now = now or timezone.now()
    minutes = float(standard_in_force(at=now).get("facility.device_silent_minutes", 15))
    cutoff = now - timedelta(minutes=minutes)
    candidates = (
        Facility.objects.filter(
            status=FacilityStatus.IN_SERVICE,
            api_token__isnull=False,
            api_token__revoked_at__isnull=True,
            api_token__last_used_at__lt=cutoff,
        )
        .exclude(faults__status__in=ACTIVE_FAULT_STATUSES)
        .select_related("hall", "api_token")
    )
    opened = 0
    for facility in candidates:
        cal = calendar_for("business", facility.hall.opening_hours)
        # Silent for N minutes of opening time: a kiosk switched off overnight is not broken at 09:01.
        if not cal.is_open(now) or cal.between(facility.api_token.last_used_at, now) < minutes * 60:
            continue
        last = timezone.localtime(facility.api_token.last_used_at).strftime("%H:%M")
        fault_report(
            facility=facility,
            reported_by=None,
            description=str(_("设备自%(at)s起未上报状态") % {"at": last}),
            source=FaultSource.DEVICE_SILENT,
        )
        opened += 1
    return {"suspected": opened}
