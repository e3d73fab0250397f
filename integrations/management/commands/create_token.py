"""Create a hall-bound device/integration token and print the raw value once (it is stored hashed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from halls.models import Hall
from integrations.models import TokenKind, token_create


class Command(BaseCommand):
    help = "Create an API token for a kiosk, display, APP or WeCom integration; the raw token is shown once."

    def add_arguments(self, parser):
        parser.add_argument("--hall", required=True, help="hall code, e.g. SZ-NS-001")
        parser.add_argument("--kind", required=True, choices=TokenKind.values)
        parser.add_argument("--name", required=True)

    def handle(self, *args, hall: str, kind: str, name: str, **options):
        found = Hall.objects.filter(code=hall).first()
        if found is None:
            raise CommandError(f"unknown hall code: {hall}")
        if not name.strip():
            raise CommandError("name must not be empty")
        token, raw = token_create(hall=found, kind=kind, name=name.strip())
        self.stdout.write(f"token {token.prefix}… for {found.code} ({kind}) created.")
        self.stdout.write("Copy it now, it will not be shown again:")
        self.stdout.write(raw)
