from __future__ import annotations

from django.apps import AppConfig


class TingwuConfig(AppConfig):
    """The project package as an app: base templates, static assets, cross-app commands (demo, worker, serve)."""

    name = "tingwu"
    verbose_name = "Tingwu"
