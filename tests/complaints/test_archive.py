"""CMP-2.1 reclassification and CMP-3 archive: closed files locked, kept 3 years, then anonymised."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from complaints import services as s
from complaints.archive import REDACTED, complaints_purge
from complaints.models import Complaint, ComplaintEvent, ComplaintEvidence, EventKind, Kind, Status
from lib.errors import Conflict, ServiceError
from sla.models import Clock, ClockStatus, Target

SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _close(world, c):
    sup = world["supervisor_a"]
    s.complaint_contact(complaint=c, actor=sup, note="已联系客户")
    s.complaint_solve(
        complaint=c,
        actor=sup,
        cause="计费系统未同步",
        solution="退还多扣费用",
        responsibility="company",
        company_at_fault=True,
        apologised=True,
        notify_by="sms",
    )
    s.complaint_close(complaint=c, actor=world["manager_a"], customer_response="accepted")
    return c


@pytest.mark.django_db
def test_reclassifying_general_to_complex_restarts_the_right_clock_and_logs_it(world, intake, time_machine):
    """CMP-2.1: general (24 h solution) → complex (72 h progress counted from the acceptance), logged."""
    t0 = datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI)
    time_machine.move_to(t0, tick=False)
    c = intake()
    assert c.kind == Kind.GENERAL
    time_machine.move_to(t0 + timedelta(hours=3), tick=False)
    s.complaint_classify(complaint=c, kind=Kind.COMPLEX, actor=world["supervisor_a"], reason="涉及合约纠纷")
    assert c.kind == Kind.COMPLEX
    clocks = {(k.target, k.status): k for k in Clock.objects.for_subject(c)}
    assert (Target.COMPLAINT_GENERAL_SOLUTION, ClockStatus.CANCELLED) in clocks
    progress = clocks[(Target.COMPLAINT_COMPLEX_PROGRESS, ClockStatus.RUNNING)]
    assert progress.deadline == t0 + timedelta(hours=72)
    first = clocks[(Target.COMPLAINT_FIRST_CONTACT, ClockStatus.RUNNING)]
    assert first.deadline == t0 + timedelta(hours=2)  # the contact promise is unchanged
    event = ComplaintEvent.objects.get(complaint=c, kind=EventKind.RECLASSIFIED)
    assert event.data == {"from": "general", "to": "complex"} and event.note == "涉及合约纠纷"


@pytest.mark.django_db
def test_reclassifying_needs_a_reason_and_an_open_file(world, intake):
    c = intake()
    with pytest.raises(ServiceError) as err:
        s.complaint_classify(complaint=c, kind=Kind.COMPLEX, actor=world["supervisor_a"], reason="")
    assert err.value.code == "reason_required"
    assert Complaint.objects.get(pk=c.pk).kind == Kind.GENERAL


@pytest.mark.django_db
def test_closed_file_accepts_notes_but_refuses_changes(world, intake):
    """CMP-3: closed files can be annotated, not changed."""
    c = _close(world, intake())
    with pytest.raises(Conflict) as err:
        s.complaint_update_details(complaint=c, actor=world["supervisor_a"], demand="改写后的诉求内容")
    assert err.value.code == "complaint_closed"
    with pytest.raises(Conflict):
        s.complaint_classify(complaint=c, kind=Kind.COMPLEX, actor=world["supervisor_a"], reason="改分类")
    with pytest.raises(Conflict):
        s.complaint_add_evidence(
            complaint=c, actor=world["clerk_a"], files=[SimpleUploadedFile("a.png", PNG)]
        )
    note = s.complaint_annotate(complaint=c, actor=world["supervisor_a"], text="客户来电致谢")
    assert note.text == "客户来电致谢"
    assert Complaint.objects.get(pk=c.pk).demand.startswith("上月办理的套餐变更")


@pytest.mark.django_db
def test_delete_is_refused_within_three_years_of_closure(world, intake, time_machine):
    """CMP-3: kept at least 3 years; model and bulk deletes are both refused."""
    t0 = datetime(2026, 5, 10, 10, 0, tzinfo=SHANGHAI)
    time_machine.move_to(t0, tick=False)
    c = _close(world, intake())
    open_one = intake()
    for target in (c, open_one):
        with pytest.raises(Conflict) as err:
            target.delete()
        assert err.value.code == "retention_locked"
    with pytest.raises(Conflict):
        Complaint.objects.filter(hall=world["hall_a"]).delete()
    time_machine.move_to(t0 + timedelta(days=3 * 365 - 2), tick=False)
    with pytest.raises(Conflict):
        Complaint.objects.get(pk=c.pk).delete()
    assert Complaint.objects.count() == 2


@pytest.mark.django_db
def test_purge_dry_run_reports_and_purge_anonymises_only_expired_files(
    world, intake, time_machine, private_storage, django_capture_on_commit_callbacks
):
    t0 = datetime(2026, 5, 10, 10, 0, tzinfo=SHANGHAI)
    time_machine.move_to(t0, tick=False)
    old = _close(world, intake(evidence_files=[SimpleUploadedFile("截图.png", PNG)]))
    s.complaint_annotate(complaint=old, actor=world["supervisor_a"], text="客户张桂兰来电致谢")
    time_machine.move_to(t0 + timedelta(days=400), tick=False)
    recent = _close(world, intake())
    still_open = intake()
    evidence_path = private_storage / ComplaintEvidence.objects.get(complaint=old).file.name
    assert evidence_path.exists()

    time_machine.move_to(datetime(2029, 5, 11, 9, 0, tzinfo=SHANGHAI), tick=False)
    out = StringIO()
    call_command("complaints_purge", "--dry-run", stdout=out)
    assert "would anonymise 1 complaint file(s)" in out.getvalue() and old.number in out.getvalue()
    assert Complaint.objects.get(pk=old.pk).anonymised_at is None  # dry run changes nothing

    with django_capture_on_commit_callbacks(execute=True):  # files go once the rows are committed
        report = complaints_purge()
    assert report.numbers == [old.number] and report.evidence_files == 1
    old.refresh_from_db()
    assert old.complainant_name == REDACTED and old.contact_phone == "" and old.demand == REDACTED
    assert old.phone_index == "" and old.cause == "" and old.anonymised_at is not None
    assert old.business_type_id == world["basic"].pk and old.responsibility == "company"  # stats stay true
    assert old.notes.get().text == REDACTED
    assert not ComplaintEvidence.objects.filter(complaint=old).exists() and not evidence_path.exists()
    for other in (recent, still_open):
        other.refresh_from_db()
        assert other.anonymised_at is None and other.complainant_name == "张桂兰"
    assert complaints_purge().count == 0  # idempotent
    assert still_open.status == Status.ACCEPTED
