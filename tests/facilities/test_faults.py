"""ENV-2.2 / STF-3.2 device faults: report → notice on display and kiosk → guide task → resolve → notice gone;
suspected fault from a silent kiosk; personas and bad input."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from facilities.models import Facility, FacilityKind, FacilityStatus, Fault, FaultStatus, StatusChange
from facilities.selectors import availability
from facilities.services import (
    MAINTENANCE_NOTICE,
    fault_confirm,
    fault_dismiss,
    fault_report,
    fault_resolve,
    fault_start_repair,
    fault_suspect_sweep,
)
from floor.models import Announcement
from floor.selectors import display_state, effective_announcements
from integrations.models import ApiToken, TokenKind, token_create
from lib.errors import Conflict, Forbidden, NotFound, ServiceError
from sla.models import Clock, ClockStatus, Target
from staff.models import DutyShift
from tests.facilities.conftest import SH, make_facility, png

OPEN_DAY = datetime(2026, 12, 8, 10, 0, tzinfo=SH)  # a Tuesday, hall open 09:00–18:00


def shift(world, who, start, hours=9):
    return DutyShift.objects.create(
        hall=world["hall_a"], user=world[who], starts_at=start, ends_at=start + timedelta(hours=hours)
    )


@time_machine.travel(OPEN_DAY, tick=False)
def test_env_2_2_fault_notice_guide_resolve(world, fac, fresh_bus):
    shift(world, "greeter_a", OPEN_DAY - timedelta(hours=1))
    shift(world, "supervisor_a", OPEN_DAY - timedelta(hours=1))
    kiosk = fac["kiosk"]
    fault = fault_report(facility=kiosk, reported_by=world["clerk_a"], description="屏幕无反应")
    assert fault.status == FaultStatus.OPEN
    kiosk.refresh_from_db()
    assert kiosk.status == FacilityStatus.FAULT
    # the notice is on the display and the kiosk (both read the hall's effective announcements)
    state = display_state(hall=world["hall_a"])
    assert [a["body"] for a in state["announcements"]] == [MAINTENANCE_NOTICE]
    assert [a.body for a in effective_announcements(hall=world["hall_a"])] == [MAINTENANCE_NOTICE]
    # the greeter on duty is the guide, with the task on their tablet
    assert fault.guide == world["greeter_a"] and fault.guide_active
    clocks = {c.target: c for c in Clock.objects.for_subject(fault)}
    assert set(clocks) == {Target.FACILITY_FAULT_RESPONSE, Target.FACILITY_FAULT_REPAIR}
    assert clocks[Target.FACILITY_FAULT_RESPONSE].deadline == OPEN_DAY + timedelta(minutes=30)
    # a second report adds to the same fault: no second notice
    again = fault_report(facility=kiosk, reported_by=world["greeter_a"], description="还是坏的")
    assert again.pk == fault.pk and Announcement.objects.count() == 1
    with time_machine.travel(OPEN_DAY + timedelta(minutes=20), tick=False):
        fault_start_repair(user=world["supervisor_a"], fault=fault)
    with time_machine.travel(OPEN_DAY + timedelta(hours=2), tick=False):
        fault = fault_resolve(user=world["supervisor_a"], fault=fault, resolution="重启后恢复")
        assert display_state(hall=world["hall_a"])["announcements"] == []
        assert effective_announcements(hall=world["hall_a"]) == []
    assert fault.status == FaultStatus.RESOLVED and fault.downtime_seconds == 7200
    assert not fault.guide_active
    kiosk.refresh_from_db()
    assert kiosk.status == FacilityStatus.IN_SERVICE
    assert list(StatusChange.objects.filter(facility=kiosk).values_list("to_status", flat=True)) == [
        "fault",
        "under_repair",
        "in_service",
    ]
    assert {c.status for c in Clock.objects.for_subject(fault)} == {ClockStatus.MET}


@time_machine.travel(OPEN_DAY, tick=False)
def test_env_2_2_guide_falls_back_to_duty_supervisor(world, fac, fresh_bus):
    shift(world, "supervisor_a", OPEN_DAY - timedelta(hours=1))
    fault = fault_report(facility=fac["water"], reported_by=world["clerk_a"], description="漏水")
    assert fault.guide == world["supervisor_a"]


@time_machine.travel(OPEN_DAY, tick=False)
def test_env_2_2_fault_events_reach_the_bus(world, fac, fresh_bus, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fault_report(facility=fac["kiosk"], reported_by=world["clerk_a"], description="卡纸")
    kinds = [e.kind for e in fresh_bus.replay(world["hall_a"].pk, 0)[0]]
    assert "announcement.changed" in kinds and "facility.fault" in kinds


def _paired_kiosk(world, fac, last_used):
    token, _raw = token_create(hall=world["hall_a"], kind=TokenKind.KIOSK, name="取号机1")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=last_used)
    Facility.objects.filter(pk=fac["kiosk"].pk).update(api_token=token)
    return Facility.objects.get(pk=fac["kiosk"].pk)


def test_env_2_2_silent_kiosk_becomes_a_suspected_fault(world, fac, fresh_bus):
    kiosk = _paired_kiosk(world, fac, OPEN_DAY - timedelta(minutes=20))
    with time_machine.travel(OPEN_DAY, tick=False):
        assert fault_suspect_sweep(now=OPEN_DAY) == {"suspected": 1}
        assert fault_suspect_sweep(now=OPEN_DAY) == {"suspected": 0}  # once
        fault = Fault.objects.get(facility=kiosk)
        assert fault.status == FaultStatus.SUSPECTED and fault.reported_by is None
        kiosk.refresh_from_db()
        assert kiosk.status == FacilityStatus.IN_SERVICE and not Announcement.objects.exists()
        with pytest.raises(Forbidden):
            fault_confirm(user=world["clerk_a"], fault=fault)
        fault = fault_confirm(user=world["supervisor_a"], fault=fault)
    assert fault.status == FaultStatus.OPEN and fault.announcement is not None
    kiosk.refresh_from_db()
    assert kiosk.status == FacilityStatus.FAULT


def test_env_2_2_silence_is_counted_in_opening_hours_only(world, fac):
    # last seen at closing yesterday; at 09:05 it has been silent only 5 opening minutes
    _paired_kiosk(world, fac, datetime(2026, 12, 7, 18, 0, tzinfo=SH))
    at = datetime(2026, 12, 8, 9, 5, tzinfo=SH)
    assert fault_suspect_sweep(now=at) == {"suspected": 0}
    night = datetime(2026, 12, 8, 2, 0, tzinfo=SH)
    assert fault_suspect_sweep(now=night) == {"suspected": 0}
    assert fault_suspect_sweep(now=datetime(2026, 12, 8, 9, 20, tzinfo=SH)) == {"suspected": 1}


def test_env_2_2_dismiss_a_suspected_fault(world, fac):
    _paired_kiosk(world, fac, OPEN_DAY - timedelta(hours=1))
    fault_suspect_sweep(now=OPEN_DAY)
    fault = Fault.objects.get()
    fault = fault_dismiss(user=world["supervisor_a"], fault=fault, reason="网线松动,已插好")
    assert fault.status == FaultStatus.DISMISSED
    with pytest.raises(Conflict):
        fault_dismiss(user=world["supervisor_a"], fault=fault)


@time_machine.travel(OPEN_DAY, tick=False)
def test_env_2_2_personas(world, fac):
    with pytest.raises(NotFound):
        fault_report(facility=fac["water"], reported_by=world["clerk_b"], description="x")
    for who in ("auditor", "inspector"):
        with pytest.raises(Forbidden):
            fault_report(facility=fac["water"], reported_by=world[who], description="x")
    fault = fault_report(facility=fac["water"], reported_by=world["clerk_a"], description="没水了")
    for who, err in [
        ("clerk_a", Forbidden),
        ("clerk_b", NotFound),
        ("auditor", Forbidden),
        ("inspector", Forbidden),
    ]:
        with pytest.raises(err):
            fault_resolve(user=world[who], fault=fault)
    fault_resolve(user=world["manager_a"], fault=fault)


@time_machine.travel(OPEN_DAY, tick=False)
@pytest.mark.parametrize(
    "kw,code",
    [
        ({"description": ""}, "description_required"),
        ({"description": "x" * 501}, "description_too_long"),
        ({"source": "rumour"}, "source_invalid"),
        ({"photo": "bad"}, "file_type"),
    ],
)
def test_env_2_2_bad_fault_input(world, fac, kw, code, private_media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if kw.get("photo") == "bad":
        kw["photo"] = SimpleUploadedFile("x.png", b"MZ not an image", content_type="image/png")
    args = {"facility": fac["water"], "reported_by": world["clerk_a"], "description": "坏了"} | kw
    with pytest.raises(ServiceError) as exc:
        fault_report(**args)
    assert exc.value.code == code
    assert not Fault.objects.exists() and not Announcement.objects.exists()
    assert not list(private_media.rglob("*.*"))


@time_machine.travel(OPEN_DAY, tick=False)
def test_env_2_2_photo_is_kept_privately(world, fac, private_media):
    fault = fault_report(facility=fac["water"], reported_by=world["clerk_a"], description="漏水", photo=png())
    photo = fault.photos.get()
    assert photo.content_type == "image/png" and photo.file.name.startswith("facilities/")
    assert (private_media / photo.file.name).exists()


def test_env_2_2_availability_and_mttr_per_month(world, fac):
    water = fac["water"]
    for start, hours in [
        (datetime(2026, 12, 3, 10, 0, tzinfo=SH), 2),
        (datetime(2026, 12, 10, 10, 0, tzinfo=SH), 4),
    ]:
        with time_machine.travel(start, tick=False):
            fault = fault_report(facility=water, reported_by=world["clerk_a"], description="坏")
        with time_machine.travel(start + timedelta(hours=hours), tick=False):
            fault_resolve(user=world["manager_a"], fault=fault)
    rows = {
        r["facility"].pk: r
        for r in availability(hall=world["hall_a"], year=2026, month=12, now=datetime(2027, 1, 5, tzinfo=SH))
    }
    row = rows[water.pk]
    assert row["downtime_seconds"] == 6 * 3600
    assert row["mttr_seconds"] == 3 * 3600
    assert row["availability"] == pytest.approx(1 - 6 / (31 * 24))
    assert rows[fac["seats1"].pk]["availability"] == 1.0 and rows[fac["seats1"].pk]["mttr_seconds"] is None


def test_env_2_2_retired_facility_takes_no_fault(world, fac):
    from facilities.services import facility_retire

    f = make_facility(world["hall_a"], world["manager_a"], kind=FacilityKind.PRINTER, label="旧打印机")
    facility_retire(user=world["manager_a"], facility=f, reason="报废")
    with pytest.raises(Conflict):
        fault_report(facility=f, reported_by=world["clerk_a"], description="x")
