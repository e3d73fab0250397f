"""Home page entries: each app may have a ``menu.py`` with ``ITEMS``; the home page shows the ones a user may use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class MenuItem:
    label: object  # gettext_lazy
    url_name: str
    capability: str | None = None  # None: any signed-in staff member
    group: object = ""
    description: object = ""
    order: int = 100


@cache
def all_items() -> tuple[MenuItem, ...]:
    items: list[MenuItem] = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.menu")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.menu":
                raise
            continue
        items.extend(getattr(module, "ITEMS", ()))
    return tuple(sorted(items, key=lambda i: i.order))


def items_for(user) -> list[dict]:
    from staff.access import user_can

    visible = []
    for item in all_items():
        if item.capability and not user_can(user, item.capability):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append(
            {"label": item.label, "url": url, "group": item.group, "description": item.description}
        )
    # The home page regroups consecutive items: keep each group together, groups in order of first appearance.
    first_seen: dict[str, int] = {}
    for index, entry in enumerate(visible):
        first_seen.setdefault(str(entry["group"]), index)
    return sorted(visible, key=lambda entry: first_seen[str(entry["group"])])
