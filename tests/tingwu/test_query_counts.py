"""N+1 guards on the foundation's list pages and endpoints: the query count does not grow with the rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from privacy.services import customer_create, pi_reveal
from staff.models import HallRole
from tests import factories as f

pytestmark = pytest.mark.django_db


def _grow(world, n=8):
    hall = world["hall_a"]
    for i in range(n):
        f.counter(hall, 10 + i, serves_all=False, business_types=[world["basic"], world["complex"]])
        f.user(hall_roles=[(hall, HallRole.CLERK)])
        c = customer_create(hall=hall, name=f"客户{i}", mobile=f"1380000{i:04d}")
        pi_reveal(user=world["manager_a"], obj=c, field="mobile", reason="核实身份")


PAGES = [
    ("hall detail", lambda w: reverse("halls:detail", args=[w["hall_a"].pk]), "manager_a", 14),
    ("staff list", lambda w: reverse("staff:list"), "manager_a", 13),
    ("customers", lambda w: reverse("privacy:customers"), "manager_a", 11),
    ("PI audit", lambda w: reverse("privacy:audit"), "auditor", 16),
    ("catalogue", lambda w: reverse("catalog:list"), "clerk_a", 11),
    ("API halls", lambda w: f"/api/v1/halls/{w['hall_a'].pk}", "manager_a", 13),
    ("API staff", lambda w: "/api/v1/staff/", "manager_a", 12),
]


@pytest.mark.parametrize(("name", "url", "persona", "limit"), PAGES, ids=[p[0] for p in PAGES])
def test_query_count_is_bounded(client, world, django_assert_max_num_queries, name, url, persona, limit):
    _grow(world)
    client.force_login(world[persona])
    target = url(world)
    client.get(target)  # warm the session and caches
    with django_assert_max_num_queries(limit):
        assert client.get(target).status_code == 200
