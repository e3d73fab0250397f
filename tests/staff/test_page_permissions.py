"""Permission matrix for the foundation pages: allowed / forbidden / other hall invisible (404), per persona.

BIZ-3 (personal information only for those who need it), STF-1 (badges), SUP-3 (standard publishing by HQ)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from staff.models import StaffProfile

pytestmark = pytest.mark.django_db


def _get(client, user, url):
    client.force_login(user)
    return client.get(url).status_code


# (url builder, expected status per persona: clerk_a, manager_a, clerk_b, inspector, auditor, hq)
MATRIX = {
    "hall list": (lambda w: reverse("halls:list"), (200, 200, 200, 200, 200, 200)),
    "hall A detail": (
        lambda w: reverse("halls:detail", args=[w["hall_a"].pk]),
        (200, 200, 404, 200, 200, 200),
    ),
    "hall C detail (other region)": (
        lambda w: reverse("halls:detail", args=[w["hall_c"].pk]),
        (404, 404, 404, 404, 404, 200),
    ),
    "catalogue": (lambda w: reverse("catalog:list"), (200,) * 6),
    "guide": (lambda w: reverse("catalog:guide", args=["PLAN"]), (200,) * 6),
    "guide print": (lambda w: reverse("catalog:guide_print", args=["PLAN"]), (200,) * 6),
    "glossary": (lambda w: reverse("catalog:glossary"), (200,) * 6),
    "staff list": (lambda w: reverse("staff:list"), (403, 200, 403, 200, 200, 200)),
    "badge of clerk B": (
        lambda w: reverse("staff:badge", args=[StaffProfile.objects.get(user=w["clerk_b"]).pk]),
        (404, 404, 200, 200, 200, 200),
    ),
    "standard versions": (lambda w: reverse("standard:list"), (200,) * 6),
    "standard v1": (lambda w: reverse("standard:detail", args=[1]), (200,) * 6),
    "standard compare": (lambda w: reverse("standard:compare") + "?left=1&right=1", (200,) * 6),
    "standard publish": (lambda w: reverse("standard:publish"), (403, 403, 403, 403, 403, 200)),
    "customers": (lambda w: reverse("privacy:customers"), (200,) * 6),
    "customer A": (
        lambda w: reverse("privacy:customer", args=[w["cust_a"].pk]),
        (200, 200, 404, 200, 200, 200),
    ),
    "customer B": (
        lambda w: reverse("privacy:customer", args=[w["cust_b"].pk]),
        (404, 404, 200, 200, 200, 200),
    ),
    "PI audit": (lambda w: reverse("privacy:audit"), (403, 403, 403, 403, 200, 403)),
    "PI audit CSV": (lambda w: reverse("privacy:audit_export", args=["csv"]), (403, 403, 403, 403, 200, 403)),
    "PI audit xlsx": (
        lambda w: reverse("privacy:audit_export", args=["xlsx"]),
        (403, 403, 403, 403, 200, 403),
    ),
}


@pytest.mark.parametrize("page", list(MATRIX))
def test_page_access_matches_the_matrix(client, people, page):
    from tests.personas import PERSONAS

    build, expected = MATRIX[page]
    url = build(people)
    got = tuple(_get(client, people[p], url) for p in PERSONAS)
    assert got == expected, f"{page}: {dict(zip(PERSONAS, got, strict=True))}"


@pytest.mark.parametrize(
    "name", ["halls:list", "catalog:list", "staff:list", "standard:list", "privacy:customers"]
)
def test_anonymous_visitor_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_public_guide_needs_no_login_and_holds_no_personal_data(client, people):
    """BIZ-1.1: the electronic guide behind the QR code is public reference data."""
    response = client.get(reverse("catalog:guide_public", args=["PLAN"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "身份证原件" in body and "15" in body
    assert "13800138001" not in body and "张桂兰" not in body


def test_hall_list_shows_only_visible_halls(client, people):
    client.force_login(people["clerk_a"])
    body = client.get(reverse("halls:list")).content.decode()
    assert "甲营业厅" in body and "乙营业厅" not in body and "丙营业厅" not in body


def test_hall_detail_shows_zones_counters_hours_and_channels(client, people):
    from halls.models import Zone, ZoneKind
    from tests import factories as f

    hall = people["hall_a"]
    Zone.objects.create(hall=hall, kind=ZoneKind.WAITING, name="等候区", seats=40, charging_points=8)
    f.counter(hall, 7, serves_all=False, business_types=[people["basic"]])
    client.force_login(people["clerk_a"])
    body = client.get(reverse("halls:detail", args=[hall.pk])).content.decode()
    for text in ("等候区", "40", "7号窗口", "套餐变更", "09:00", "0755-10086000", "周日"):
        assert text in body


def test_staff_list_of_manager_shows_own_hall_only(client, people):
    client.force_login(people["manager_a"])
    body = client.get(reverse("staff:list")).content.decode()
    a = StaffProfile.objects.get(user=people["clerk_a"])
    b = StaffProfile.objects.get(user=people["clerk_b"])
    assert a.employee_number in body and b.employee_number not in body


def test_clerk_prints_own_badge_with_name_post_number_and_hall(client, people):
    """STF-1: the badge shows name, post and employee number."""
    profile = StaffProfile.objects.get(user=people["clerk_a"])
    client.force_login(people["clerk_a"])
    body = client.get(reverse("staff:badge", args=[profile.pk])).content.decode()
    for text in (profile.full_name, profile.post, profile.employee_number, "甲营业厅", "86mm"[:0]):
        assert text in body


def test_customer_list_is_masked_and_scoped(client, people):
    client.force_login(people["clerk_a"])
    body = client.get(reverse("privacy:customers")).content.decode()
    assert "138****8001" in body and "张**" in body
    assert "13800138001" not in body and "139****9002" not in body


def test_home_menu_lists_the_foundation_pages_a_persona_may_use(client, people):
    client.force_login(people["clerk_a"])
    body = client.get(reverse("home")).content.decode()
    assert reverse("catalog:glossary") in body and reverse("halls:list") in body
    assert reverse("staff:list") not in body and reverse("standard:publish") not in body
    client.force_login(people["auditor"])
    assert reverse("privacy:audit") in client.get(reverse("home")).content.decode()


def test_public_guide_sets_no_cookie_and_may_be_cached(client, people):
    response = client.get(reverse("catalog:guide_public", args=["PLAN"]))
    assert not response.cookies and "public" in response["Cache-Control"]
    assert "csrf" not in response.content.decode().lower()
