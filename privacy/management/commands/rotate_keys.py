"""Re-encrypt every personal-information value under the primary key (first in TINGWU_ENCRYPTION_KEYS).

Rotation: put the new key first in the ring, run this, then remove the old key once it reports nothing stale."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from privacy.services import keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt personal information under the primary encryption key."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count values under an older key")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, dry_run: bool, batch_size: int, **options):
        counts = keys_rotate(batch_size=batch_size, dry_run=dry_run)
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        for column, n in counts.items():
            self.stdout.write(f"{column}: {verb} {n}")
        self.stdout.write(f"total {verb} {sum(counts.values())}")
