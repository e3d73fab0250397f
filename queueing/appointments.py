"""Appointments (issue 3 §1): book a slot over the API (APP / WeCom), check in at the kiosk, no-show after grace.

Slots are 30 minutes inside the hall's opening hours; a slot takes as many bookings per business as the hall has
counters able to serve it. Check-in is allowed from ``EARLY_CHECK_IN`` before the slot until
``queue.appointment_grace_minutes`` after its start; the ticket then has appointment precedence while "now" is
inside the slot (see docs/queueing.md).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import Counter
from lib.errors import Conflict, NotFound, ServiceError
from privacy import crypto
from queueing import clock
from queueing.models import Appointment, AppointmentStatus, PriorityKind, TicketSource
from queueing.standard_memo import standard_at

SLOT_MINUTES = 30
EARLY_CHECK_IN = timedelta(minutes=60)
MAX_DAYS_AHEAD = 14
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def _within_opening_hours(hall, start: datetime, end: datetime) -> bool:
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    if local_start.date() != local_end.date() and local_end.time() != datetime.min.time():
        return False
    for opens, closes in hall.hours_for_weekday(local_start.weekday()):
        if opens <= local_start.strftime("%H:%M") and local_end.strftime("%H:%M") <= closes:
            return True
    return False


def slot_capacity(*, hall, business_type) -> int:
    return max(
        1,
        Counter.objects.filter(hall_id=hall.pk)
        .filter(Q(serves_all=True) | Q(business_types=business_type))
        .distinct()
        .count(),
    )


def appointment_book(
    *,
    hall,
    business_type,
    slot_start: datetime,
    mobile: str = "",
    customer=None,
    priority_kind: str = "",
    source: str = TicketSource.APP,
    follow_up_of=None,
) -> Appointment:
    """Book one 30-minute slot for a business at a hall. The code is shown once to the customer (and sent by SMS
    by the caller); check-in works with the code or the mobile number (blind index)."""
    from queueing.services import business_for_hall

    bt = business_for_hall(hall, business_type)
    now = clock.now()
    if timezone.is_naive(slot_start):
        raise ServiceError("naive_datetime", _("预约时间必须带时区"), field="slot_start")
    local = timezone.localtime(slot_start)
    if local.minute % SLOT_MINUTES or local.second or local.microsecond:
        raise ServiceError("invalid_slot", _("预约时段须从整点或半点开始"), field="slot_start")
    if slot_start <= now:
        raise ServiceError("slot_in_past", _("不能预约已开始的时段"), field="slot_start")
    if slot_start > now + timedelta(days=MAX_DAYS_AHEAD):
        raise ServiceError("slot_too_far", _("最多可预约14天内的时段"), field="slot_start")
    slot_end = slot_start + timedelta(minutes=SLOT_MINUTES)
    if not _within_opening_hours(hall, slot_start, slot_end):
        raise ServiceError("slot_closed", _("该时段不在营业时间内"), field="slot_start")
    if priority_kind not in PriorityKind.values:
        raise ServiceError("invalid_priority", _("优先类别不正确"), field="priority_kind")
    if mobile:
        from privacy.services import validate_phone

        mobile = validate_phone(mobile)
    with transaction.atomic():
        # Lock the slot's existing bookings so that two requests cannot both take the last place.
        taken = list(
            Appointment.objects.select_for_update()
            .filter(hall_id=hall.pk, business_type=bt, slot_start=slot_start)
            .exclude(status=AppointmentStatus.CANCELLED)
            .values_list("pk", flat=True)
        )
        if len(taken) >= slot_capacity(hall=hall, business_type=bt):
            raise Conflict("slot_full", _("该时段已约满，请选择其他时段"), field="slot_start")
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    return Appointment.objects.create(
                        hall_id=hall.pk,
                        business_type=bt,
                        slot_start=slot_start,
                        slot_end=slot_end,
                        code=_new_code(),
                        mobile=mobile,
                        mobile_index=crypto.blind_index("phone", mobile) if mobile else "",
                        customer=customer,
                        priority_kind=priority_kind,
                        source=source,
                        created_at=now,
                        follow_up_of=follow_up_of,
                    )
            except IntegrityError:  # code collision: draw another
                continue
    raise Conflict("code_exhausted", _("预约码生成失败，请重试"))


def appointment_check_in(
    *, hall, code: str = "", mobile: str = "", idempotency_key: str | None = None, actor=None
):
    """Turn a booking into a ticket (source "appointment") with precedence inside its slot window."""
    from queueing.models import Ticket
    from queueing.services import ticket_issue

    if idempotency_key:  # a repeated tap returns the ticket of the first check-in
        existing = Ticket.objects.filter(hall_id=hall.pk, idempotency_key=str(idempotency_key)[:64]).first()
        if existing is not None:
            return existing
    now = clock.now()
    qs = Appointment.objects.filter(hall_id=hall.pk, status=AppointmentStatus.BOOKED)
    code = (code or "").strip().upper()
    if code:
        appt = qs.filter(code=code).first()
    elif mobile:
        index = crypto.blind_index("phone", mobile)
        today = timezone.localdate(now)
        appt = (
            qs.filter(mobile_index=index, slot_start__date__gte=today - timedelta(days=1))
            .filter(slot_start__lte=now + EARLY_CHECK_IN)
            .order_by("slot_start")
            .first()
        )
    else:
        raise ServiceError("code_or_mobile_required", _("请输入预约码或手机号"), field="code")
    if appt is None:
        raise NotFound("appointment_not_found", _("未找到本厅可签到的预约"), field="code")
    grace = int(standard_at(now)["queue.appointment_grace_minutes"])
    if now < appt.slot_start - EARLY_CHECK_IN:
        raise ServiceError("appointment_too_early", _("预约时段开始前1小时内可签到"), field="code")
    if now > appt.slot_start + timedelta(minutes=grace):
        raise ServiceError("appointment_expired", _("已超过预约签到宽限时间，请现场取号"), field="code")
    with transaction.atomic():
        updated = Appointment.objects.filter(pk=appt.pk, status=AppointmentStatus.BOOKED).update(
            status=AppointmentStatus.CHECKED_IN, checked_in_at=now
        )
        if updated != 1:
            raise Conflict("appointment_state_changed", _("该预约已签到或已失效"))
        return ticket_issue(
            hall=hall,
            business_type=appt.business_type,
            priority_kind=appt.priority_kind,
            customer=appt.customer,
            appointment=appt,
            idempotency_key=idempotency_key,
            source=TicketSource.APPOINTMENT,
            actor=actor,
        )


def appointment_cancel(*, appointment: Appointment) -> Appointment:
    updated = Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.CANCELLED
    )
    if updated != 1:
        raise Conflict("appointment_state_changed", _("该预约已签到或已失效"))
    appointment.refresh_from_db()
    return appointment


def appointment_sweep(*, now: datetime | None = None, hall=None) -> int:
    """One pass: bookings not checked in by slot start + ``queue.appointment_grace_minutes`` become no-shows."""
    now = now or clock.now()
    grace = int(standard_at(now)["queue.appointment_grace_minutes"])
    qs = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, slot_start__lt=now - timedelta(minutes=grace)
    )
    if hall is not None:
        qs = qs.filter(hall_id=hall.pk)
    return qs.update(status=AppointmentStatus.NO_SHOW, no_show_at=now)


def free_slots(*, hall, business_type, day) -> list[dict]:
    """The bookable 30-minute slots of one day with the places left (for the APP / WeCom)."""
    from django.db.models import Count

    from queueing.services import business_for_hall

    bt = business_for_hall(hall, business_type)
    capacity = slot_capacity(hall=hall, business_type=bt)
    now = clock.now()
    tz = timezone.get_current_timezone()
    taken = dict(
        Appointment.objects.filter(hall_id=hall.pk, business_type=bt, slot_start__date=day)
        .exclude(status=AppointmentStatus.CANCELLED)
        .values_list("slot_start")
        .annotate(n=Count("pk"))
    )
    slots = []
    for opens, closes in hall.hours_for_weekday(day.weekday()):
        start = datetime.combine(day, datetime.strptime(opens, "%H:%M").time(), tzinfo=tz)
        end = datetime.combine(day, datetime.strptime(closes, "%H:%M").time(), tzinfo=tz)
        while start + timedelta(minutes=SLOT_MINUTES) <= end:
            if start > now:
                free = capacity - taken.get(start, 0)
                slots.append(
                    {"start": start, "end": start + timedelta(minutes=SLOT_MINUTES), "free": max(0, free)}
                )
            start += timedelta(minutes=SLOT_MINUTES)
    return slots
