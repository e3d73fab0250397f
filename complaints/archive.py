"""Complaint archive (CMP-3): kept at least ``archive.complaint_years`` after closure, then anonymised.

Deletion is refused inside the retention period (``Complaint.delete`` and the queryset guard). After it, the purge
does not delete either: it erases the personal information (name, phone, free texts, evidence files) and keeps the
non-personal facts (hall, business type, class, responsibility, dates) so that the statistics stay true.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from complaints.models import (
    RETENTION_FLOOR_YEARS,
    Complaint,
    ComplaintEvent,
    ComplaintEvidence,
    ComplaintNote,
    EventKind,
    Status,
)
from standard.services import standard_in_force

REDACTED = "[已匿名化]"


@dataclass
class PurgeReport:
    cutoff: datetime
    years: int
    dry_run: bool
    numbers: list[str] = field(default_factory=list)
    evidence_files: int = 0

    @property
    def count(self) -> int:
        return len(self.numbers)


def _cutoff(now: datetime, years: int) -> datetime:
    local = timezone.localtime(now)
    try:
        return local.replace(year=local.year - years)
    except ValueError:  # 29 February
        return local.replace(year=local.year - years, day=28)


def purge_candidates(*, now: datetime | None = None):
    """Closed files past their own retention term: the term of the version in force when each closed (SUP-3), at
    least the three-year floor. The floor bounds the scan; each file's own term decides."""
    now = now or timezone.now()
    years = max(RETENTION_FLOOR_YEARS, int(standard_in_force(at=now)["archive.complaint_years"]))
    cutoff = _cutoff(now, RETENTION_FLOOR_YEARS)
    qs = Complaint.objects.filter(status=Status.CLOSED, closed_at__lt=cutoff, anonymised_at__isnull=True)
    due = [c.pk for c in qs.only("pk", "closed_at") if c.retention_until() <= now]
    return Complaint.objects.filter(pk__in=due).order_by("closed_at", "pk"), cutoff, years


def complaints_purge(
    *, now: datetime | None = None, dry_run: bool = False, batch_size: int = 200
) -> PurgeReport:
    """Anonymise every closed file older than the retention period. ``dry_run`` only reports what it would do."""
    now = now or timezone.now()
    qs, cutoff, years = purge_candidates(now=now)
    report = PurgeReport(cutoff=cutoff, years=years, dry_run=dry_run)
    ids = list(qs.values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        if dry_run:
            report.numbers += list(Complaint.objects.filter(pk__in=chunk).values_list("number", flat=True))
            report.evidence_files += ComplaintEvidence.objects.filter(complaint_id__in=chunk).count()
            continue
        with transaction.atomic():
            for complaint in Complaint.objects.select_for_update().filter(
                pk__in=chunk, anonymised_at__isnull=True
            ):
                report.evidence_files += _anonymise(complaint, now)
                report.numbers.append(complaint.number)
    return report


def _anonymise(complaint: Complaint, now: datetime) -> int:
    files = list(ComplaintEvidence.objects.filter(complaint=complaint))
    for evidence in files:
        name, storage = evidence.file.name, evidence.file.storage
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
    ComplaintEvidence.objects.filter(complaint=complaint).delete()
    Complaint.objects.filter(pk=complaint.pk).update(
        complainant_name=REDACTED,
        contact_phone="",
        phone_index="",
        related_reference="",
        demand=REDACTED,
        cause="",
        solution="",
        compensation="",
        follow_up="",
        policy_basis="",
        alternative="",
        anonymised_at=now,
    )
    ComplaintEvent.objects.filter(complaint=complaint).update(note="")
    ComplaintNote.objects.filter(complaint=complaint).update(text=REDACTED)
    ComplaintEvent.objects.create(
        complaint=complaint,
        hall_id=complaint.hall_id,
        kind=EventKind.ANONYMISED,
        at=now,
        actor_label="complaints_purge",
        data={"evidence_files": len(files)},
    )
    return len(files)
