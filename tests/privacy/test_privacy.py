"""Personal information (BIZ-3, PIPL): encryption at rest, key rotation, blind index, masking, audited reveal."""

from __future__ import annotations

import base64
import io
import logging
import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from lib.errors import Forbidden, ServiceError
from lib.masking import mask_id_number, mask_name, mask_phone
from privacy import crypto
from privacy.logging import MaskPersonalInformationFilter
from privacy.models import Customer, PIAccessLog
from privacy.services import customer_create, customer_find_by_id_number, customer_find_by_phone, pi_reveal

pytestmark = pytest.mark.django_db


def _raw(customer, column="mobile"):
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM privacy_customer WHERE id = %s", [customer.pk])  # noqa: S608
        return cur.fetchone()[0]


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_values_are_ciphertext_in_the_database_and_clear_in_python(world):
    c = customer_create(
        hall=world["hall_a"], name="张桂兰", mobile="13800138001", id_number="11010519491231002X"
    )
    raw = _raw(c)
    assert raw.startswith("enc1:") and "13800138001" not in raw
    assert "张桂兰" not in _raw(c, "name") and "11010519491231002X" not in _raw(c, "id_number")
    fresh = Customer.objects.get(pk=c.pk)
    assert (fresh.name, fresh.mobile, fresh.id_number) == ("张桂兰", "13800138001", "11010519491231002X")


def test_same_value_encrypts_differently_each_time():
    assert crypto.encrypt("13800138001") != crypto.encrypt("13800138001")


def test_tampered_ciphertext_is_refused_without_echoing_it():
    token = crypto.encrypt("13800138001")
    bad = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.DecryptionError) as exc:
        crypto.decrypt(bad)
    assert bad not in str(exc.value)


def test_key_rotation_add_new_key_rotate_then_drop_old(world, settings):
    k1, k2 = f"k1:{_key()}", f"k2:{_key()}"
    settings.TINGWU_ENCRYPTION_KEYS = k1
    c = customer_create(
        hall=world["hall_a"], name="王芳", mobile="13700137003", id_number="11010519491231002X"
    )
    assert crypto.key_id_of(_raw(c)) == "k1"

    # 1. Add the new key first: old values still read, new writes use k2.
    settings.TINGWU_ENCRYPTION_KEYS = f"{k2},{k1}"
    assert Customer.objects.get(pk=c.pk).mobile == "13700137003"
    out = io.StringIO()
    call_command("rotate_keys", "--dry-run", stdout=out)
    assert "privacy.Customer.mobile: would re-encrypt 1" in out.getvalue()
    assert crypto.key_id_of(_raw(c)) == "k1"  # dry run changed nothing

    # 2. Rotate.
    call_command("rotate_keys", stdout=io.StringIO())
    assert {crypto.key_id_of(_raw(c, col)) for col in ("name", "mobile", "id_number")} == {"k2"}
    out = io.StringIO()
    call_command("rotate_keys", "--dry-run", stdout=out)
    assert "total would re-encrypt 0" in out.getvalue()

    # 3. Drop the old key: everything still reads and the blind index still finds the customer.
    settings.TINGWU_ENCRYPTION_KEYS = k2
    fresh = Customer.objects.get(pk=c.pk)
    assert (fresh.name, fresh.mobile, fresh.id_number) == ("王芳", "13700137003", "11010519491231002X")
    assert list(customer_find_by_phone(mobile="13700137003")) == [c]


def test_dropping_a_key_before_rotation_makes_values_unreadable(world, settings):
    settings.TINGWU_ENCRYPTION_KEYS = f"k1:{_key()}"
    c = customer_create(hall=world["hall_a"], name="赵国强", mobile="15000150004")
    settings.TINGWU_ENCRYPTION_KEYS = f"k2:{_key()}"
    with pytest.raises(crypto.DecryptionError):
        Customer.objects.get(pk=c.pk)


def test_blind_index_finds_by_phone_in_any_format_and_is_keyed(world, settings):
    c = customer_create(
        hall=world["hall_a"], name="刘洋", mobile="18800188006", id_number="11010519491231002X"
    )
    for variant in ("18800188006", "+86 188-0018-8006", " 188 0018 8006 "):
        assert list(customer_find_by_phone(mobile=variant)) == [c]
    assert list(customer_find_by_id_number(id_number="11010519491231002x")) == [c]
    assert not customer_find_by_phone(mobile="18800188007").exists()
    import hashlib

    assert c.mobile_index != hashlib.sha256(b"phone:18800188006").hexdigest()[:40]  # not a plain hash
    before = crypto.blind_index("phone", "18800188006")
    settings.TINGWU_BLIND_INDEX_KEY = _key()
    assert crypto.blind_index("phone", "18800188006") != before


def test_masking_shapes():
    assert mask_phone("13800138001") == "138****8001"
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_name("张桂兰") == "张**" and mask_name("李") == "*"
    assert mask_phone("") == "" and mask_phone("12345") == "*****"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"name": "", "mobile": "13800138001"}, "name_required"),
        ({"name": "甲", "mobile": "1380013800"}, "invalid_phone"),
        ({"name": "甲", "mobile": "13800138001", "id_number": "110105194912310021"}, "invalid_id_number"),
        ({"name": "甲", "mobile": "13800138001", "id_number": "12345"}, "invalid_id_number"),
    ],
)
def test_bad_customer_input_is_refused_and_nothing_saved(world, kwargs, code):
    with pytest.raises(ServiceError) as exc:
        customer_create(hall=world["hall_a"], **kwargs)
    assert exc.value.code == code
    assert Customer.objects.count() == 0


# --- reveal and its audit -------------------------------------------------------------------------------------


def test_manager_reveal_shows_value_once_and_audits_who_what_when_why_where(client, people):
    client.force_login(people["manager_a"])
    url = reverse("privacy:customer_reveal", args=[people["cust_a"].pk])
    response = client.post(url, {"field": "mobile", "reason": "客户来电核实办理进度"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "13800138001" in response.content.decode()
    log = PIAccessLog.objects.get()
    assert log.user == people["manager_a"] and log.hall == people["hall_a"]
    assert (log.subject_type, log.subject_id, log.field) == (
        "privacy.customer",
        str(people["cust_a"].pk),
        "mobile",
    )
    assert log.reason == "客户来电核实办理进度" and log.ip_address == "10.1.2.3" and log.at is not None
    # The plain detail page is masked again afterwards.
    body = client.get(reverse("privacy:customer", args=[people["cust_a"].pk])).content.decode()
    assert "13800138001" not in body and "138****8001" in body


@pytest.mark.parametrize("reason", ["", " ", "x"])
def test_reveal_without_a_reason_is_refused_next_to_the_field(client, people, reason):
    client.force_login(people["manager_a"])
    url = reverse("privacy:customer_reveal", args=[people["cust_a"].pk])
    response = client.post(url, {"field": "mobile", "reason": reason})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert "13800138001" not in response.content.decode()
    assert not PIAccessLog.objects.exists()


def test_reveal_of_unknown_field_is_refused(client, people):
    client.force_login(people["manager_a"])
    url = reverse("privacy:customer_reveal", args=[people["cust_a"].pk])
    response = client.post(url, {"field": "hall", "reason": "核实"})
    assert response.context["form"].errors["field"] and not PIAccessLog.objects.exists()
    with pytest.raises(ServiceError) as exc:
        pi_reveal(user=people["manager_a"], obj=people["cust_a"], field="mobile_index", reason="核实")
    assert exc.value.code == "unknown_field"


@pytest.mark.parametrize(("persona", "status"), [("clerk_a", 403), ("auditor", 403), ("manager_a", 404)])
def test_reveal_refused_without_the_right_or_outside_the_hall(client, people, persona, status):
    client.force_login(people[persona])
    target = people["cust_b"] if persona == "manager_a" else people["cust_a"]
    response = client.post(
        reverse("privacy:customer_reveal", args=[target.pk]), {"field": "mobile", "reason": "核实"}
    )
    assert response.status_code == status and not PIAccessLog.objects.exists()


def test_reveal_is_post_only(client, people):
    client.force_login(people["manager_a"])
    assert client.get(reverse("privacy:customer_reveal", args=[people["cust_a"].pk])).status_code == 405


def test_reveal_service_refuses_clerk(people):
    with pytest.raises(Forbidden):
        pi_reveal(user=people["clerk_a"], obj=people["cust_a"], field="mobile", reason="核实")
    assert not PIAccessLog.objects.exists()


def test_phone_typed_into_a_reason_is_masked_in_the_audit(people):
    pi_reveal(user=people["manager_a"], obj=people["cust_a"], field="name", reason="客户13800138001来电")
    assert PIAccessLog.objects.get().reason == "客户138****8001来电"


# --- audit list and export ----------------------------------------------------------------------------------


def test_auditor_filters_and_exports_the_access_audit(client, people):
    pi_reveal(
        user=people["manager_a"],
        obj=people["cust_a"],
        field="mobile",
        reason="核实身份",
        ip_address="10.0.0.1",
    )
    pi_reveal(user=people["hq"], obj=people["cust_b"], field="name", reason="投诉处理", ip_address="10.0.0.2")
    client.force_login(people["auditor"])
    page = client.get(reverse("privacy:audit"), {"user": "manager", "field": "mobile"})
    assert list(page.context["logs"]) == [PIAccessLog.objects.get(user=people["manager_a"])]
    csv_body = client.get(reverse("privacy:audit_export", args=["csv"]), {"hall": people["hall_b"].pk})
    text = csv_body.content.decode("utf-8-sig")
    assert csv_body["Content-Type"].startswith("text/csv") and "投诉处理" in text and "核实身份" not in text
    xlsx = client.get(reverse("privacy:audit_export", args=["xlsx"]))
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3 and rows[0][1] == "查看人"


def test_audit_filter_with_bad_dates_shows_a_field_error(client, people):
    client.force_login(people["auditor"])
    response = client.get(reverse("privacy:audit"), {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert response.context["form"].errors["date_to"]
    response = client.get(reverse("privacy:audit"), {"date_from": "not-a-date"})
    assert response.context["form"].errors["date_from"]
    bad_export = client.get(reverse("privacy:audit_export", args=["csv"]), {"date_from": "nope"})
    assert bad_export.status_code == 400


# --- no PI in logs or URLs ---------------------------------------------------------------------------------------


def test_logs_never_carry_a_phone_or_id_number(settings):
    assert "mask_pi" in settings.LOGGING["handlers"]["console"]["filters"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPersonalInformationFilter())
    logger = logging.getLogger("tingwu.test.pi")
    logger.addHandler(handler)
    try:
        logger.warning("lookup %s failed for %s", "13800138001", "11010519491231002X")
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue()
    assert "13800138001" not in line and "11010519491231002X" not in line
    assert "138****8001" in line and "110***********002X" in line


def test_phone_search_travels_in_the_body_not_the_url(client, people):
    client.force_login(people["clerk_a"])
    page = client.get(reverse("privacy:customers")).content.decode()
    assert 'method="post"' in page
    response = client.post(reverse("privacy:customers"), {"mobile": "13800138001"})
    body = response.content.decode()
    assert (
        response.status_code == 200
        and "138****8001" in body
        and "13800138001" not in body.replace('value="13800138001"', "")
    )
    assert list(response.context["customers"]) == [people["cust_a"]]
    bad = client.post(reverse("privacy:customers"), {"mobile": "12"})
    assert bad.context["form"].errors["mobile"]
