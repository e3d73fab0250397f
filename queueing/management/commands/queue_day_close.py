"""manage.py queue_day_close — close the tickets still waiting at closing time (every hall, or one)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from halls.models import Hall
from queueing.services import queue_day_close


class Command(BaseCommand):
    help = "Close waiting/suspended/no-show tickets of today and earlier with a reason; mark missed appointments."

    def add_arguments(self, parser):
        parser.add_argument("--hall", help="hall code (default: every hall)")

    def handle(self, *args, hall=None, **options):
        halls = Hall.objects.filter(code=hall) if hall else Hall.objects.all()
        total = 0
        for h in halls:
            n = queue_day_close(hall=h)
            total += n
            self.stdout.write(f"{h.code}: closed {n}")
        self.stdout.write(f"total closed {total}")
