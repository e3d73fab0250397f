"""KPI sources: every installed app may ship ``<app>/kpi_sources.py`` (the brief's contract), found like ``menu.py``.

A source module has ``LABELS`` (source code → label), ``parts(day_from, day_to)`` (per day/hall/clerk/business
sums) and ``rows(source, day_from, day_to, hall_ids, clerk_id)`` (the rows behind a figure). The kpi app never
imports a domain app by name: a source that is not installed simply has no data.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

KPI_CODES = ("satisfaction", "evaluation_response", "on_time", "complaint_resolution", "compliance")


@cache
def source_modules() -> tuple[ModuleType, ...]:
    found = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.kpi_sources")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.kpi_sources":
                raise
            continue
        found.append(module)
    claimed: dict[str, str] = {}
    for module in found:  # a source code names one module: the drill-down must know whose rows to open
        for code in getattr(module, "LABELS", {}):
            if code in claimed:
                raise ImproperlyConfigured(
                    f"KPI source {code!r} is claimed by {claimed[code]} and {module.__name__}"
                )
            claimed[code] = module.__name__
    return tuple(found)


@receiver(setting_changed)
def _installed_apps_changed(*, setting, **kwargs):
    if setting == "INSTALLED_APPS":
        source_modules.cache_clear()


def labels() -> dict[str, object]:
    out: dict[str, object] = {}
    for module in source_modules():
        out.update(getattr(module, "LABELS", {}))
    return out


def module_for(source: str) -> ModuleType | None:
    for module in source_modules():
        if source in getattr(module, "LABELS", {}):
            return module
    return None


def iter_parts(*, day_from: date, day_to: date):
    """Every source's part rows for the days, checked against the contract (a bad row is a bug in that source)."""
    for module in source_modules():
        known = getattr(module, "LABELS", {})
        for part in module.parts(day_from=day_from, day_to=day_to):
            if part["kpi"] not in KPI_CODES or part["source"] not in known:
                raise ValueError(f"{module.__name__}: unknown kpi/source {part['kpi']}/{part['source']}")
            yield part


def rows(*, source: str, day_from: date, day_to: date, hall_ids: list[int], clerk_id: int | None = None):
    module = module_for(source)
    if module is None:
        return []
    return module.rows(source=source, day_from=day_from, day_to=day_to, hall_ids=hall_ids, clerk_id=clerk_id)
