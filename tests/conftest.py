from __future__ import annotations

import pytest

from catalog.models import GlossaryTerm, PhraseKind, StandardPhrase
from integrations.models import TokenKind, token_create
from privacy.services import customer_create
from staff.models import HallRole, RegionRole
from tests import factories as f
from tests.pages import records  # noqa: F401  (the records the page walkers open, see tests/pages.py)
from tests.timetravel import (  # noqa: F401  (the --now option's hooks and fixture, see tests/timetravel.py)
    TravellingBrowser,
    _test_clock,
    pytest_addoption,
    pytest_configure,
    pytest_report_header,
    pytest_unconfigure,
)


@pytest.fixture
def standard_v1(db):
    """A world on version 1 alone: the test database (built by ``migrate``) also holds the shipped later versions,
    which tests/standard/test_versions.py covers; tests that publish their own version 2 start from v1."""
    from standard.models import StandardVersion
    from standard.services import standard_seed_v1

    StandardVersion.objects.filter(number__gt=1).delete()
    return standard_seed_v1()


@pytest.fixture
def world(db, standard_v1):
    """Two halls in one region, a third region for an outsider, and the four NetBox-style personas."""
    region = f.region("RA")
    other_region = f.region("RB")
    hall_a = f.hall(region, code="HA", name="甲营业厅")
    hall_b = f.hall(region, code="HB", name="乙营业厅")
    hall_c = f.hall(other_region, code="HC", name="丙营业厅")
    basic = f.business_type(
        "PLAN",
        name="套餐变更",
        halls=[hall_a, hall_b, hall_c],
        materials=[
            ("身份证原件", True, "如遗失可先办理临时身份证"),
            ("身份证复印件", False, "身份证复印件可在厅内自助复印机免费打印"),
        ],
    )
    complex_ = f.business_type("CONTRACT", category="complex", name="合约机办理", halls=[hall_a, hall_b])
    consult = f.business_type("ASK", category="consultation", name="业务咨询", halls=[hall_a, hall_b])
    personas = {
        "clerk_a": f.user("clerk_a", hall_roles=[(hall_a, HallRole.CLERK)]),
        "greeter_a": f.user("greeter_a", hall_roles=[(hall_a, HallRole.GREETER)]),
        "supervisor_a": f.user("supervisor_a", hall_roles=[(hall_a, HallRole.DUTY_SUPERVISOR)]),
        "manager_a": f.user("manager_a", hall_roles=[(hall_a, HallRole.HALL_MANAGER)]),
        "clerk_b": f.user("clerk_b", hall_roles=[(hall_b, HallRole.CLERK)]),
        "inspector": f.user("inspector", region_roles=[(region, RegionRole.QUALITY_INSPECTOR)]),
        "auditor": f.user("auditor", region_roles=[(region, RegionRole.AUDITOR)]),
        "hq": f.user("hq", region_roles=[(None, RegionRole.HQ_ADMIN)]),
    }
    return {
        "region": region,
        "other_region": other_region,
        "hall_a": hall_a,
        "hall_b": hall_b,
        "hall_c": hall_c,
        "basic": basic,
        "complex": complex_,
        "consult": consult,
        **personas,
    }


def login(client, user):
    client.force_login(user)
    return client


# --- Browser tests (headless Debian Chromium driven by Playwright) ------------------------------------------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def _urls_imported():
    """Import every app's URLs and views once, as production's ASGI start-up does (tingwu/asgi.py), so the first
    page a browser test opens does not pay for it: on a loaded CI box that took 13 s, past the 10 s page timeout."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point


@pytest.fixture(scope="session")
def browser(pytestconfig, _urls_imported):
    import os

    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls in tests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield TravellingBrowser(b, pytestconfig)
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def browser_login(page, live_server, username, password=f.PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.fixture(autouse=True)
def _passwords_do_not_age(request, settings):
    """A persona's password is made when its test starts; a test that then travels months ahead (a KPI month, a
    week of inspections) is not about the 90-day rule, which would turn every page into the forced change. The
    rule's own tests carry ``@pytest.mark.password_aging`` and keep the setting."""
    if request.node.get_closest_marker("password_aging") is None:
        settings.TINGWU_PASSWORD_MAX_AGE_DAYS = 0


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the product's default language: a request with ``Accept-Language: en`` leaves English
    active in the thread (LocaleMiddleware does not reset it), and a later test building a message outside a request
    would then read English labels — the order the tests ran in would decide the result."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at production strength costs ~0.3 s per user; tests create many. Policy tests still hash for real."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_memos():
    """Every per-process memo (lib.memo) starts empty: a memo must not outlive the database it was read from."""
    from lib.memo import forget_all

    forget_all()
    yield
    forget_all()


@pytest.fixture(autouse=True)
def _hot_path_connections():
    """The queue hot path keeps its own async PostgreSQL connections and per-process memos: drop them after each test
    (a kept connection would stop the test database from being dropped; a memo must not outlive its rows)."""
    yield
    import sys

    if "queueing.hotpath.db" in sys.modules:
        from queueing.hotpath import db, identity, ops

        db.close_all()
        identity.forget_here()
        ops.forget_rows()


class _AlwaysOpen:
    def is_open(self, at):
        return True

    def next_open(self, at):
        return at


@pytest.fixture(autouse=True)
def _kiosk_hours(monkeypatch):
    """The kiosk refuses to issue outside the hall's opening hours (issue 10 §2). Tests that issue from the kiosk
    run at any real hour or date, so by default the hall is open; tests of the rule ask for ``real_opening_hours``."""
    monkeypatch.setattr("queueing.opening.hall_calendar", lambda hall: _AlwaysOpen())


@pytest.fixture
def real_opening_hours(_kiosk_hours, monkeypatch):
    from halls.holidays import business_calendar_for
    from queueing import opening

    monkeypatch.setattr(opening, "hall_calendar", business_calendar_for)


@pytest.fixture
def people(world):
    """The personas plus a customer in hall A and one in hall B, glossary rows and device tokens."""
    world["cust_a"] = customer_create(
        hall=world["hall_a"],
        name="张桂兰",
        mobile="13800138001",
        id_number="11010519491231002X",
        is_elderly=True,
    )
    world["cust_b"] = customer_create(hall=world["hall_b"], name="李明", mobile="13900139002")
    GlossaryTerm.objects.create(
        term="流量结转",
        plain="本月没用完的流量会自动转到下个月",
        plain_en="Data you don't use moves to next month",
    )
    GlossaryTerm.objects.create(term="副卡", plain="和主号共用套餐的另一张卡")
    StandardPhrase.objects.create(
        kind=PhraseKind.GREETING, text="您好，请问有什么可以帮您？", clause="STF-2.1"
    )
    world["token_a"] = token_create(hall=world["hall_a"], kind=TokenKind.KIOSK, name="kiosk A")[1]
    world["token_b"] = token_create(hall=world["hall_b"], kind=TokenKind.DISPLAY, name="display B")[1]
    return world
