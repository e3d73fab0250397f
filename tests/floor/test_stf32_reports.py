"""STF-3.2 「遇系统故障、业务纠纷等突发情况,应第一时间向值班主管汇报」: the clerk reports from the console in one tap,
the duty supervisor is notified at once (notify outbox), and turns the report into emergency mode with the expected
recovery time from the board — or closes it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from floor.models import Incident, IncidentKind, IncidentReport, ReportStatus
from floor.services import incident_declare, incident_report, incident_report_declare, incident_report_dismiss
from lib.errors import Conflict, Forbidden, NotFound, ServiceError
from notify.models import Notification
from staff.models import DutyShift
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_duty(world):
    now = timezone.now()
    return DutyShift.objects.create(
        hall=world["hall_a"],
        user=world["supervisor_a"],
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=7),
    )


def test_stf32_clerk_report_notifies_the_duty_supervisor_at_once(
    world, on_duty, fresh_bus, django_capture_on_commit_callbacks
):
    counter = f.counter(world["hall_a"], 3)
    with django_capture_on_commit_callbacks(execute=True):
        report = incident_report(
            user=world["clerk_a"],
            hall=world["hall_a"],
            kind=IncidentKind.SYSTEM_FAILURE,
            note="客户张三身份证读卡失败",
            counter=counter,
        )
    assert report.status == ReportStatus.OPEN
    n = Notification.objects.get(dedupe_key=f"floor:report:{report.pk}")
    assert n.options["mentioned_list"] == ["supervisor_a"]
    assert "系统故障" in n.body and "张三" not in n.body  # the note stays internal (it may name the customer)
    assert f"/floor/halls/{world['hall_a'].pk}/board/" in n.body

    assert [e.kind for e in fresh_bus.replay(world["hall_a"].pk, 0)[0]] == [
        "incident.reported"
    ]  # the board refreshes


def test_stf32_without_a_supervisor_on_duty_the_hall_managers_hear(world):
    report = incident_report(user=world["clerk_a"], hall=world["hall_a"], kind=IncidentKind.DISPUTE)
    n = Notification.objects.get(dedupe_key=f"floor:report:{report.pk}")
    assert n.options["mentioned_list"] == ["manager_a"]


def test_stf32_supervisor_turns_the_report_into_emergency_mode(world, on_duty):
    report = incident_report(
        user=world["clerk_a"], hall=world["hall_a"], kind=IncidentKind.SYSTEM_FAILURE, note="叫号系统无响应"
    )
    now = timezone.now()
    incident = incident_report_declare(user=world["supervisor_a"], report=report, minutes=15)
    report.refresh_from_db()
    assert report.status == ReportStatus.DECLARED and report.incident == incident
    assert report.handled_by == world["supervisor_a"]
    assert incident.kind == IncidentKind.SYSTEM_FAILURE and incident.note == "叫号系统无响应"
    assert timedelta(minutes=14) < incident.expected_recovery_at - now <= timedelta(minutes=15, seconds=5)
    with pytest.raises(Conflict) as exc:
        incident_report_declare(user=world["supervisor_a"], report=report, minutes=15)
    assert exc.value.code == "report_handled"


def test_stf32_declare_while_an_incident_is_open_changes_nothing(world):
    incident_declare(user=world["supervisor_a"], hall=world["hall_a"], kind=IncidentKind.DISPUTE, minutes=5)
    report = incident_report(user=world["clerk_a"], hall=world["hall_a"], kind=IncidentKind.SYSTEM_FAILURE)
    with pytest.raises(Conflict):
        incident_report_declare(user=world["supervisor_a"], report=report, minutes=10)
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN and Incident.objects.count() == 1


@pytest.mark.parametrize("minutes", [0, 481, "ten", None])
def test_stf32_bad_recovery_minutes_leave_the_report_open(world, minutes):
    report = incident_report(user=world["clerk_a"], hall=world["hall_a"], kind=IncidentKind.SYSTEM_FAILURE)
    with pytest.raises(ServiceError) as exc:
        incident_report_declare(user=world["supervisor_a"], report=report, minutes=minutes)
    assert exc.value.field == "minutes"
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN and not Incident.objects.exists()


def test_stf32_dismiss(world):
    report = incident_report(user=world["clerk_a"], hall=world["hall_a"], kind=IncidentKind.DISPUTE)
    incident_report_dismiss(user=world["manager_a"], report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.DISMISSED and not Incident.objects.exists()


@pytest.mark.parametrize(
    "persona, error", [("clerk_b", NotFound), ("auditor", Forbidden), ("inspector", Forbidden)]
)
def test_stf32_only_the_halls_counter_staff_report(world, persona, error):
    with pytest.raises(error):
        incident_report(user=world[persona], hall=world["hall_a"], kind=IncidentKind.DISPUTE)
    assert not IncidentReport.objects.exists()


@pytest.mark.parametrize(
    "persona, error", [("clerk_a", Forbidden), ("greeter_a", Forbidden), ("clerk_b", NotFound)]
)
def test_stf32_only_the_supervisor_declares_from_a_report(world, persona, error):
    report = incident_report(user=world["clerk_a"], hall=world["hall_a"], kind=IncidentKind.DISPUTE)
    with pytest.raises(error):
        incident_report_declare(user=world[persona], report=report, minutes=10)


@pytest.mark.parametrize(
    "kw, code", [({"kind": "fire"}, "invalid_kind"), ({"note": "长" * 501}, "note_too_long")]
)
def test_stf32_bad_report_input_is_refused_and_nothing_saved(world, kw, code):
    args = {"user": world["clerk_a"], "hall": world["hall_a"], "kind": IncidentKind.DISPUTE} | kw
    with pytest.raises(ServiceError) as exc:
        incident_report(**args)
    assert exc.value.code == code
    assert not IncidentReport.objects.exists() and not Notification.objects.exists()


def test_stf32_console_button_board_and_declare_pages(client, world, on_duty):
    hall = world["hall_a"]
    counter = f.counter(hall, 2)
    client.force_login(world["clerk_a"])
    console = client.get(reverse("queueing:console", args=[counter.pk]))
    html = console.content.decode()
    assert reverse("floor:incident_report", args=[hall.pk]) in html and "向值班主管汇报" in html
    r = client.post(
        reverse("floor:incident_report", args=[hall.pk]),
        {"kind": "system_failure", "counter": counter.pk, "note": "打印机卡纸"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "已报告值班主管" in r.content.decode()
    report = IncidentReport.objects.get()
    assert report.counter == counter and report.reported_by == world["clerk_a"]
    bad = client.post(
        reverse("floor:incident_report", args=[hall.pk]), {"kind": ""}, headers={"HX-Request": "true"}
    )
    assert bad.status_code == 400 and "事件类型不正确" in bad.content.decode()
    # the clerk cannot act on it
    assert (
        client.post(
            reverse("floor:incident_report_declare", args=[hall.pk, report.pk]), {"minutes": 10}
        ).status_code
        == 403
    )
    client.force_login(world["supervisor_a"])
    board = client.get(reverse("floor:board", args=[hall.pk])).content.decode()
    assert "营业员汇报" in board and "打印机卡纸" in board
    r = client.post(reverse("floor:incident_report_declare", args=[hall.pk, report.pk]), {"minutes": 20})
    assert r.status_code == 302
    incident = Incident.objects.get(hall=hall, ended_at__isnull=True)
    assert incident.minutes_left() in (19, 20)
    assert (
        "打印机卡纸"
        not in client.get(reverse("floor:incident_report_panel", args=[hall.pk])).content.decode()
    )


def test_stf32_api_report_then_declare(client, world, on_duty):
    hall = world["hall_a"]
    client.force_login(world["clerk_a"])
    r = client.post(
        "/api/v1/floor/incident-reports",
        {"hall_id": hall.pk, "kind": "dispute", "note": "客户对扣费有异议"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    report_id = r.json()["id"]
    bad = client.post(
        "/api/v1/floor/incident-reports",
        {"hall_id": hall.pk, "kind": "fire"},
        content_type="application/json",
    )
    assert bad.status_code in (400, 422)
    assert client.get(f"/api/v1/floor/incident-reports?hall_id={hall.pk}").status_code == 403
    client.force_login(world["supervisor_a"])
    assert [x["id"] for x in client.get(f"/api/v1/floor/incident-reports?hall_id={hall.pk}").json()] == [
        report_id
    ]
    r = client.post(
        f"/api/v1/floor/incident-reports/{report_id}/declare", {"minutes": 0}, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["code"] == "minutes_out_of_range"
    r = client.post(
        f"/api/v1/floor/incident-reports/{report_id}/declare",
        {"minutes": 10},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["kind"] == "dispute"
    r = client.post(f"/api/v1/floor/incident-reports/{report_id}/dismiss")
    assert r.status_code == 409 and r.json()["code"] == "report_handled"
    client.force_login(world["clerk_b"])
    assert client.post(f"/api/v1/floor/incident-reports/{report_id}/dismiss").status_code == 404
