"""Anonymise complaint files past the retention period (CMP-3). Thin: parse, call the service, print."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from complaints.archive import complaints_purge


class Command(BaseCommand):
    help = "Anonymise personal information in closed complaint files older than archive.complaint_years."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be anonymised, change nothing"
        )

    def handle(self, *args, dry_run: bool, **options):
        report = complaints_purge(dry_run=dry_run)
        verb = "would anonymise" if dry_run else "anonymised"
        self.stdout.write(
            f"{verb} {report.count} complaint file(s) closed before {report.cutoff:%Y-%m-%d} "
            f"(retention {report.years} years), {report.evidence_files} evidence file(s)"
        )
        for number in report.numbers:
            self.stdout.write(f"  {number}")
