"""API permission matrix and bad input: staff sessions scoped by ``for_user``, device tokens to their own hall,
stable error codes ``{code, message, message_en}``."""

from __future__ import annotations

import pytest

from privacy.models import Customer

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _as(client, user):
    client.force_login(user)
    return client


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_anonymous_call_is_401_with_stable_code(client, people):
    response = client.get(f"{API}/halls/")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthorized" and body["message"] and body["message_en"]


@pytest.mark.parametrize(
    ("persona", "codes"),
    [("clerk_a", ["HA"]), ("clerk_b", ["HB"]), ("inspector", ["HA", "HB"]), ("hq", ["HA", "HB", "HC"])],
)
def test_hall_list_is_scoped_to_the_caller(client, people, persona, codes):
    body = _as(client, people[persona]).get(f"{API}/halls/").json()
    assert [h["code"] for h in body] == codes


def test_hall_detail_has_zones_and_counters_and_hides_other_halls(client, people):
    from tests import factories as f

    f.counter(people["hall_a"], 3, serves_all=False, business_types=[people["basic"]])
    c = _as(client, people["clerk_a"])
    body = c.get(f"{API}/halls/{people['hall_a'].pk}").json()
    assert body["counters"][0]["number"] == 3 and body["counters"][0]["business_type_codes"] == ["PLAN"]
    assert "zones" in body and body["opening_hours"]["0"] == [["09:00", "18:00"]]
    other = c.get(f"{API}/halls/{people['hall_b'].pk}")
    assert other.status_code == 404 and other.json()["code"] == "not_found"


def test_device_token_reads_only_its_own_hall(client, people):
    headers = _bearer(people["token_a"])
    assert [h["code"] for h in client.get(f"{API}/halls/", **headers).json()] == ["HA"]
    assert client.get(f"{API}/halls/{people['hall_b'].pk}", **headers).status_code == 404
    assert (
        client.get(f"{API}/halls/{people['hall_a'].pk}", HTTP_X_DEVICE_TOKEN=people["token_a"]).status_code
        == 200
    )


def test_revoked_or_wrong_token_is_401(client, people):
    from integrations.models import ApiToken, token_revoke

    token_revoke(token=ApiToken.objects.get(hall=people["hall_a"]))
    assert client.get(f"{API}/halls/", **_bearer(people["token_a"])).status_code == 401
    assert client.get(f"{API}/halls/", **_bearer("tw_nonsense")).status_code == 401


def test_device_token_sees_only_business_its_hall_offers(client, people):
    from tests import factories as f

    f.business_type("ONLYC", halls=[people["hall_c"]])
    codes = {
        b["code"] for b in client.get(f"{API}/catalog/business-types", **_bearer(people["token_a"])).json()
    }
    assert "PLAN" in codes and "ONLYC" not in codes


def test_business_type_has_materials_and_unknown_code_is_404(client, people):
    c = _as(client, people["clerk_a"])
    body = c.get(f"{API}/catalog/business-types/PLAN").json()
    assert body["materials"][0] == {
        "name": "身份证原件",
        "mandatory": True,
        "how_to_obtain": "如遗失可先办理临时身份证",
    }
    missing = c.get(f"{API}/catalog/business-types/NOPE")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_business_type_carries_the_time_limit_in_force(client, people, django_assert_max_num_queries):
    """BIZ-1.1/BIZ-2.2: the electronic guide states the time limit up front, from the standard unless overridden."""
    c = _as(client, people["clerk_a"])
    plan = c.get(f"{API}/catalog/business-types/PLAN").json()
    assert plan["time_limit_minutes"] is None  # no override on the business type itself
    assert plan["time_limit_in_force_minutes"] == 15
    with django_assert_max_num_queries(10):  # constant: session, user, standard (2), types, materials
        listed = {b["code"]: b for b in c.get(f"{API}/catalog/business-types").json()}
    assert listed["CONTRACT"]["time_limit_in_force_minutes"] == 30
    assert listed["ASK"]["time_limit_in_force_minutes"] is None  # consultations: no handling limit


def test_glossary_search_finds_plain_words(client, people):
    """STF-2.2: 流量结转 → 本月没用完的流量会自动转到下个月."""
    body = _as(client, people["clerk_a"]).get(f"{API}/catalog/glossary", {"q": "流量"}).json()
    assert body == [
        {
            "term": "流量结转",
            "plain": "本月没用完的流量会自动转到下个月",
            "plain_en": "Data you don't use moves to next month",
        }
    ]


def test_glossary_query_too_long_is_422(client, people):
    response = _as(client, people["clerk_a"]).get(f"{API}/catalog/glossary", {"q": "x" * 101})
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"


@pytest.mark.parametrize(
    ("persona", "status"), [("clerk_a", 403), ("manager_a", 200), ("inspector", 200), ("hq", 200)]
)
def test_staff_api_needs_staff_view(client, people, persona, status):
    response = _as(client, people[persona]).get(f"{API}/staff/")
    assert response.status_code == status
    if status == 403:
        assert response.json()["code"] == "forbidden"


def test_staff_api_hides_other_halls_staff_and_refuses_devices(client, people):
    from staff.models import StaffProfile

    c = _as(client, people["manager_a"])
    numbers = {p["employee_number"] for p in c.get(f"{API}/staff/").json()}
    b = StaffProfile.objects.get(user=people["clerk_b"])
    assert StaffProfile.objects.get(user=people["clerk_a"]).employee_number in numbers
    assert b.employee_number not in numbers
    assert c.get(f"{API}/staff/{b.pk}").status_code == 404
    client.logout()
    device = client.get(f"{API}/staff/", **_bearer(people["token_a"]))
    assert device.status_code == 403 and device.json()["code"] == "device_not_allowed"


def test_customer_lookup_returns_masked_rows_in_scope_only(client, people):
    c = _as(client, people["clerk_a"])
    body = c.post(
        f"{API}/customers/lookup", {"mobile": "138 0013 8001"}, content_type="application/json"
    ).json()
    assert body == [
        {
            "id": people["cust_a"].pk,
            "hall_code": "HA",
            "masked_name": "张**",
            "masked_mobile": "138****8001",
            "is_priority": True,
            "has_green_channel": False,
        }
    ]
    # Hall B's customer is invisible to hall A's clerk.
    assert (
        c.post(f"{API}/customers/lookup", {"mobile": "13900139002"}, content_type="application/json").json()
        == []
    )


@pytest.mark.parametrize("bad", ["12345", "2380013800", "abc", ""])
def test_customer_lookup_rejects_bad_phone_with_stable_code(client, people, bad):
    response = _as(client, people["clerk_a"]).post(
        f"{API}/customers/lookup", {"mobile": bad}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_phone" and body["field"] == "mobile" and body["message_en"]


def test_customer_lookup_missing_body_is_422_and_devices_are_refused(client, people):
    c = _as(client, people["clerk_a"])
    assert c.post(f"{API}/customers/lookup", {}, content_type="application/json").status_code == 422
    client.logout()
    response = client.post(
        f"{API}/customers/lookup",
        {"mobile": "13800138001"},
        content_type="application/json",
        **_bearer(people["token_a"]),
    )
    assert response.status_code == 403 and Customer.objects.count() == 2


def test_standard_in_force_at_time_and_versions(client, people):
    """SUP-3: ``?at=`` picks the version whose start is the latest one not after T."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    from standard.models import StandardVersion
    from standard.services import standard_publish

    v1 = StandardVersion.objects.get(number=1)
    start = timezone.now() + timedelta(days=10)
    params = [
        {"code": "handling.basic_minutes", "clause": "BIZ-2.2", "label": "基础", "value": 12, "unit": "min"}
    ]
    standard_publish(number=2, title="v2", effective_from=start, parameters=params)
    c = _as(client, people["clerk_a"])
    assert [v["number"] for v in c.get(f"{API}/standard/versions").json()] == [2, 1]
    before = (start - timedelta(seconds=1)).isoformat()
    after = start.isoformat()
    assert c.get(f"{API}/standard/in-force", {"at": before}).json()["number"] == v1.number
    body = c.get(f"{API}/standard/in-force", {"at": after}).json()
    assert body["number"] == 2 and body["parameters"][0]["value"] == 12
    assert c.get(f"{API}/standard/versions/1").json()["parameters"]
    assert c.get(f"{API}/standard/versions/99").status_code == 404
    early = c.get(f"{API}/standard/in-force", {"at": "2000-01-01T00:00:00+08:00"})
    assert early.status_code == 404 and early.json()["code"] == "no_standard"
    assert c.get(f"{API}/standard/in-force", {"at": "not-a-date"}).status_code == 422
    naive = c.get(f"{API}/standard/in-force", {"at": datetime(2026, 6, 1).isoformat()})
    assert naive.status_code == 400 and naive.json()["code"] == "naive_datetime"
