"""Issue 10 §4/§5: CMP-3 archive by responsibility on the list page and the API; unknown filter values are a 400
(never silently ignored); an ``offset`` beyond 64 bits is a 4xx, not a 500; BIZ-1.1 mandatory materials state how
to obtain them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog.models import RequiredMaterial
from complaints import services as s

pytestmark = pytest.mark.django_db


def _solved(world, intake, responsibility):
    c = intake()
    sup = world["supervisor_a"]
    s.complaint_contact(complaint=c, actor=sup, note="已联系客户")
    s.complaint_solve(
        complaint=c,
        actor=sup,
        cause="工单未同步",
        solution="已补做变更",
        responsibility=responsibility,
        company_at_fault=responsibility in ("company", "staff"),
        apologised=True,
        policy_basis="资费说明第3条",
        alternative="可改办其他套餐",
        notify_by="sms",
    )
    return c


def test_cmp3_archive_list_and_api_filter_by_responsibility(client, world, intake):
    company = _solved(world, intake, "company")
    customer = _solved(world, intake, "customer")
    client.force_login(world["manager_a"])
    page = client.get(reverse("complaints:list"), {"responsibility": "customer"})
    assert page.status_code == 200
    numbers = [c.number for c in page.context["page"]]
    assert numbers == [customer.number]
    api = client.get("/api/v1/complaints", {"responsibility": "company"})
    assert api.status_code == 200 and [c["number"] for c in api.json()] == [company.number]


@pytest.mark.parametrize(
    "params",
    [
        {"responsibility": "nobody"},
        {"status": "lost"},
        {"state": "late"},
        {"hall": "abc"},
        {"business_type": "x"},
    ],
)
def test_unknown_filter_values_are_a_400_on_page_and_api(client, world, params):
    client.force_login(world["manager_a"])
    assert client.get(reverse("complaints:list"), params).status_code == 400
    api = client.get("/api/v1/complaints", params)
    assert api.status_code in (400, 422), api.content


@pytest.mark.parametrize("params", [{"status": "lost"}, {"state": "late"}])
def test_unknown_consultation_filter_values_are_a_400(client, world, params):
    client.force_login(world["manager_a"])
    assert client.get(reverse("consultations:list"), params).status_code == 400
    assert client.get("/api/v1/consultations", params).status_code == 400


@pytest.mark.parametrize("url", ["/api/v1/complaints", "/api/v1/consultations", "/api/v1/notifications/"])
def test_offset_beyond_64_bits_is_a_4xx(client, world, url):
    client.force_login(world["hq"])
    response = client.get(url, {"offset": str(2**64 + 5)})
    assert 400 <= response.status_code < 500


def test_biz11_mandatory_material_must_say_how_to_obtain_it(world):
    material = RequiredMaterial(
        business_type=world["basic"], name="户口簿", mandatory=True, how_to_obtain="  "
    )
    with pytest.raises(ValidationError) as err:
        material.full_clean()
    assert "how_to_obtain" in err.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        RequiredMaterial.objects.create(business_type=world["basic"], name="户口簿", mandatory=True)
    RequiredMaterial.objects.create(business_type=world["basic"], name="复印件", mandatory=False)
