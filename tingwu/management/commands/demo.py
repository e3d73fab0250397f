"""Load the demo: each app's ``demo.py`` contributes its part, in dependency order. Idempotent."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_MODULES = [
    "standard",
    "halls",
    "catalog",
    "staff",
    "privacy",
    "integrations",
    "queueing",
    "floor",
    "sla",
    "notify",
    "complaints",
    "consultations",
    "facilities",
    "inspections",
    "training",
    "visits",
    "evaluations",
    "kpi",  # last: it reads what every other domain recorded
]
# What every domain's demo stands on (halls, people, the catalogue, the standard, device tokens).
CORE_MODULES = DEMO_MODULES[: DEMO_MODULES.index("integrations") + 1]


class Command(BaseCommand):
    help = "Load demo data (a region with 3 halls, staff in every role, catalogue, standard v1, customers)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow in production")
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument(
            "--only",
            default="",
            metavar="APP[,APP]",
            help="load only these domains' demo (with the core they stand on), e.g. complaints,consultations",
        )

    def handle(self, *args, force, quiet, only, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("Refusing to load demo data in production (use --force).")
        chosen = [name for name in only.split(",") if name]
        unknown = sorted(set(chosen) - set(DEMO_MODULES))
        if unknown:
            raise CommandError(
                f"--only: unknown demo {', '.join(unknown)}; choose from {', '.join(DEMO_MODULES)}"
            )
        modules = [m for m in DEMO_MODULES if m in CORE_MODULES or m in chosen] if chosen else DEMO_MODULES
        ctx: dict = {"stdout": self.stdout, "quiet": quiet}
        for name in modules:
            try:
                module = import_module(f"{name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{name}.demo":
                    raise
                continue
            with transaction.atomic():
                module.load(ctx)
        if not quiet:
            from staff.demo import print_logins

            print_logins(self.stdout)
