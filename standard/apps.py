from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StandardConfig(AppConfig):
    name = "standard"
    verbose_name = _("服务规范")

    def ready(self):
        post_migrate.connect(_sync_v1, sender=self, dispatch_uid="standard.sync_v1")


def _sync_v1(sender, using, apps=None, **kwargs):
    """Every ``migrate`` (an upgrade runs nothing else) adds to version 1 the parameter codes that
    standard/data/v1.json gained since: migration 0002 ran once, on the day it was installed, and a new domain's
    parameters must not wait for a migration of their own. Same function as the migration, real models."""
    from django.apps import apps as real_apps

    editor = SimpleNamespace(connection=connections[using])
    import_module("standard.migrations.0002_seed_v1").seed_v1(real_apps, editor)
    # Then the later shipped versions (v2: ENV-2.1 calendar months), which also receive what v1 just gained.
    import_module("standard.migrations.0003_v2_calendar_month_checks").seed_v2(real_apps, editor)
