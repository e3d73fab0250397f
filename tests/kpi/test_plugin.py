"""SUP-2 plug-in: a source module in any installed app is discovered (like menu.py) and feeds its KPI."""

from __future__ import annotations

from datetime import date

import pytest

from kpi import registry
from kpi.definitions import Status
from kpi.rollup import rollup_range
from kpi.selectors import Scope, month_figures
from tests.kpi.conftest import sh
from tests.kpi.fakeapp import kpi_sources as fake

NOV = date(2026, 11, 1)


@pytest.mark.django_db
def test_sup2_fake_source_module_is_discovered_and_counted(world, time_machine):
    time_machine.move_to(sh(2026, 12, 2, 9, 0), tick=False)
    scope = Scope("hall", hall_ids=[world["hall_a"].pk])
    rollup_range(day_from=NOV, day_to=date(2026, 11, 30))
    assert (
        month_figures(scope, NOV)["satisfaction"].status == Status.NO_DATA
    )  # no evaluation recorded: no data, never 0 %
    fake.HALL_ID[:] = [world["hall_a"].pk]
    fake.CLERK_ID[:] = [world["clerk_a"].pk]
    from django.test import modify_settings

    with modify_settings(INSTALLED_APPS={"append": "tests.kpi.fakeapp"}):
        assert fake in registry.source_modules()
        assert "survey" in registry.labels()
        rollup_range(day_from=NOV, day_to=date(2026, 11, 30))
        figs = month_figures(scope, NOV)
        assert figs["satisfaction"].pct == 95.0 and figs["satisfaction"].status == Status.MET
        assert figs["evaluation_response"].pct == 80.0
        rows = registry.rows(
            source="survey", day_from=NOV, day_to=date(2026, 11, 30), hall_ids=[world["hall_a"].pk]
        )
        assert rows[0]["note"].startswith("无效评价")
    assert fake not in registry.source_modules()
    fake.HALL_ID.clear()
    fake.CLERK_ID.clear()


def test_sup2_a_bad_source_row_is_refused(monkeypatch):
    class Bad:
        LABELS = {"x": "x"}

        @staticmethod
        def parts(**kw):
            yield {"kpi": "speed", "source": "x"}

    monkeypatch.setattr(registry, "source_modules", lambda: (Bad,))
    with pytest.raises(ValueError):
        list(registry.iter_parts(day_from=NOV, day_to=NOV))


def test_sup2_two_modules_claiming_one_source_code_are_refused(monkeypatch):
    import types

    from django.core.exceptions import ImproperlyConfigured

    twin = types.ModuleType("twin.kpi_sources")
    twin.LABELS = {"ticket": "twin"}
    real = registry.source_modules.__wrapped__()
    registry.source_modules.cache_clear()
    monkeypatch.setattr(
        registry, "import_module", lambda name: twin if name == "twin.kpi_sources" else real[0]
    )
    monkeypatch.setattr(
        registry.apps,
        "get_app_configs",
        lambda: [types.SimpleNamespace(name="twin"), types.SimpleNamespace(name="x")],
    )
    twin_real = types.ModuleType("x.kpi_sources")
    twin_real.LABELS = {"ticket": "real"}
    monkeypatch.setattr(
        registry, "import_module", lambda name: twin if name.startswith("twin") else twin_real
    )
    with pytest.raises(ImproperlyConfigured):
        registry.source_modules()
    registry.source_modules.cache_clear()
