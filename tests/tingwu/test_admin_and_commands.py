"""Admin: scoped querysets for non-superusers, personal information masked (never clear, never ciphertext),
tokens shown once. Management commands ``create_token`` and ``rotate_keys``."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from integrations.models import ApiToken, hash_token, token_authenticate
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    u = f.user("root", superuser=True)
    u.is_staff = True
    u.save()
    return u


def test_customer_admin_list_and_form_show_masked_values_only(client, admin_user, people):
    client.force_login(admin_user)
    for url in ("/admin/privacy/customer/", f"/admin/privacy/customer/{people['cust_a'].pk}/change/"):
        body = client.get(url).content.decode()
        assert "138****8001" in body
        assert "13800138001" not in body and "enc1:" not in body and "张桂兰" not in body
        assert "11010519491231002X" not in body


def test_customer_admin_search_by_phone_goes_through_the_blind_index(client, admin_user, people):
    client.force_login(admin_user)
    response = client.get("/admin/privacy/customer/", {"q": "139 0013 9002"})
    assert list(response.context["cl"].result_list) == [people["cust_b"]]


def test_non_superuser_admin_sees_only_their_halls(client, people):
    manager = people["manager_a"]
    manager.is_staff = True
    manager.save()
    manager.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_customer", "view_hall", "view_apitoken"])
    )
    client.force_login(manager)
    customers = client.get("/admin/privacy/customer/").context["cl"].result_list
    assert list(customers) == [people["cust_a"]]
    halls = client.get("/admin/halls/hall/").context["cl"].result_list
    assert [h.code for h in halls] == ["HA"]
    assert (
        client.get(f"/admin/privacy/customer/{people['cust_b'].pk}/change/").status_code == 302
    )  # not found


def test_token_created_in_admin_is_shown_once_and_stored_hashed(client, admin_user, world):
    client.force_login(admin_user)
    response = client.post(
        "/admin/integrations/apitoken/add/",
        {"name": "2号取号机", "kind": "kiosk", "hall": world["hall_a"].pk},
        follow=True,
    )
    text = " ".join(str(m) for m in response.context["messages"])
    raw = re.search(r"tw_[\w-]+", text).group(0)
    token = ApiToken.objects.get(name="2号取号机")
    assert token.token_hash == hash_token(raw) and raw not in token.prefix + token.token_hash
    assert token_authenticate(raw) == token
    # The change page never shows it again.
    assert raw not in client.get(f"/admin/integrations/apitoken/{token.pk}/change/").content.decode()


def test_revoke_action_ends_a_token(client, admin_user, people):
    client.force_login(admin_user)
    token = ApiToken.objects.get(hall=people["hall_a"])
    client.post("/admin/integrations/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert token_authenticate(people["token_a"]) is None


def test_create_token_command_prints_the_raw_value_once(world):
    out = io.StringIO()
    call_command("create_token", "--hall", "HA", "--kind", "display", "--name", "大厅屏", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    assert token_authenticate(raw).hall == world["hall_a"]


@pytest.mark.parametrize(
    "args",
    [
        ["--hall", "NOPE", "--kind", "kiosk", "--name", "x"],
        ["--hall", "HA", "--kind", "kiosk", "--name", "  "],
        ["--hall", "HA", "--kind", "toaster", "--name", "x"],
    ],
)
def test_create_token_command_refuses_bad_input_and_saves_nothing(world, args):
    with pytest.raises((CommandError, SystemExit)):
        call_command("create_token", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()


def test_standard_and_audit_admin_are_read_only(client, admin_user, standard_v1):
    client.force_login(admin_user)
    assert client.get("/admin/standard/standardversion/add/").status_code == 403
    assert client.get("/admin/privacy/piaccesslog/add/").status_code == 403
    assert client.get(f"/admin/standard/standardversion/{standard_v1.pk}/change/").status_code == 200


def test_admin_index_speaks_chinese(client, admin_user):
    client.force_login(admin_user)
    body = client.get("/admin/").content.decode()
    assert "厅务 Tingwu 管理后台" in body and "营业厅" in body
