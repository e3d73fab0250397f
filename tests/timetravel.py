"""Run the whole suite as if "now" were another instant.

``pytest --now 2026-12-31T23:30+08:00`` (or ``TINGWU_TEST_NOW=…``) starts every test's clock at that instant, with
the clock ticking from there (time-machine), so a suite that passes on one date can be proven to pass on the dates
where calendars bite: month and year ends, midnight in Shanghai (still the previous day in UTC), a public holiday,
a make-up working day (调休). ``.ci/run`` runs the suite for a list of such dates (``tests/edge_dates.txt``).

The session is travelled too (session fixtures and the live server thread see the same date), and each test then
starts again at the instant, so no test sees a date that depends on how long earlier tests took. A test that freezes
its own time (``time_machine.travel``) still wins inside its block. The database servers' own clocks are not moved:
that is one reason the edge dates run on SQLite, where no SQL asks the server for the time on the paths tested.
"""

from __future__ import annotations

import os
from datetime import datetime

import pytest
import time_machine
from django.utils import timezone

ENV = "TINGWU_TEST_NOW"


def parse_instant(value: str) -> datetime:
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"--now: not an ISO 8601 instant: {value!r} (e.g. 2026-12-31T23:30+08:00)")
    if instant.tzinfo is None:
        raise pytest.UsageError(f"--now: {value!r} needs a UTC offset, e.g. +08:00")
    return instant


def todays_hour(hour: int = 10) -> datetime:
    """Today (in the hall's time zone) at ``hour``:00, for a test that lets minutes pass on one hall day; starting
    from "now" would cross midnight when the suite runs late in the evening (CI did, at 23:49 in Shanghai)."""
    return timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0)


def pytest_addoption(parser):
    parser.addoption(
        "--now",
        dest="tingwu_now",
        default=os.environ.get(ENV) or None,
        metavar="ISO",
        help=f"start every test's clock at this instant, e.g. 2026-12-31T23:30+08:00 (or ${ENV})",
    )


def pytest_configure(config):
    value = config.getoption("tingwu_now")
    config._tingwu_now = parse_instant(value) if value else None
    if config._tingwu_now is not None:
        config._tingwu_session_travel = time_machine.travel(config._tingwu_now, tick=True)
        config._tingwu_session_travel.start()


def pytest_unconfigure(config):
    travel = getattr(config, "_tingwu_session_travel", None)
    if travel is not None:
        travel.stop()


def pytest_report_header(config):
    now = getattr(config, "_tingwu_now", None)
    return f"clock: every test starts at {now.isoformat()}" if now else "clock: real"


@pytest.fixture(autouse=True)
def _test_clock(request):
    """Each test starts at the chosen instant (autouse fixtures run before the other fixtures of a test)."""
    now = request.config._tingwu_now
    if now is None:
        yield None
        return
    with time_machine.travel(now, tick=True):
        yield now


class TravellingBrowser:
    """The session's Playwright browser, whose new contexts start their page clock at the test's (travelled) now:
    a page's own JavaScript (an announcement's end, a countdown) must agree with the server about the date."""

    def __init__(self, browser, config):
        self._browser = browser
        self._config = config

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        if self._config._tingwu_now is not None:
            context.clock.install(time=datetime.now().astimezone())
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)
