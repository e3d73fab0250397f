"""CMP-2.1 / BIZ-2.1: the callback needs the caller's number — an audited reveal, pages and API.

Allowed with a reason → the value once and one PIAccessLog row; no reason → 400 and no row; a clerk without
``pi.reveal`` → 403; another hall → 404; the value, field and reason never travel in a URL.
"""

from __future__ import annotations

import pytest

from consultations import services as cs
from consultations.models import Channel as ConsultationChannel
from lib.errors import ServiceError
from privacy.models import PIAccessLog
from privacy.services import pi_reveal
from staff.models import HallRole
from tests import factories as f
from tests.conftest import login

PHONE = "13800138001"


@pytest.fixture
def complaint(intake):
    return intake()


@pytest.fixture
def consultation(world):
    return cs.consultation_record(
        hall=world["hall_a"],
        channel=ConsultationChannel.ONSITE,
        customer_name="刘洋",
        contact_phone="18800188006",
        question="国际漫游流量包在哪些国家可以使用？",
        actor=world["greeter_a"],
    )


@pytest.fixture
def supervisor_b(world):
    return f.user("supervisor_b", hall_roles=[(world["hall_b"], HallRole.DUTY_SUPERVISOR)])


# --- pages ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_supervisor_reveals_complainant_phone_once_with_audit(client, world, complaint):
    login(client, world["supervisor_a"])
    page = client.get(f"/complaints/{complaint.pk}/")
    assert PHONE not in page.content.decode() and 'id="reveal"' in page.content.decode()
    url = f"/complaints/{complaint.pk}/reveal/"
    response = client.post(url, {"field": "contact_phone", "reason": "2小时内回访客户"})
    assert response.status_code == 200
    assert PHONE in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    log = PIAccessLog.objects.get()
    assert (log.user, log.hall, log.field) == (world["supervisor_a"], world["hall_a"], "contact_phone")
    assert (log.subject_type, log.subject_id) == ("complaints.complaint", str(complaint.pk))
    # Shown once: the detail page afterwards is masked again.
    assert PHONE not in client.get(f"/complaints/{complaint.pk}/").content.decode()


@pytest.mark.django_db
def test_reveal_without_reason_is_400_and_not_audited(client, world, complaint):
    login(client, world["supervisor_a"])
    response = client.post(f"/complaints/{complaint.pk}/reveal/", {"field": "contact_phone", "reason": " "})
    assert response.status_code == 400
    assert PHONE not in response.content.decode()
    assert response.context["reveal_form"].errors["reason"]
    assert not PIAccessLog.objects.exists()


@pytest.mark.django_db
def test_reveal_of_a_field_not_declared_is_refused(client, world, complaint):
    login(client, world["supervisor_a"])
    response = client.post(f"/complaints/{complaint.pk}/reveal/", {"field": "demand", "reason": "回访"})
    assert response.status_code == 400 and not PIAccessLog.objects.exists()
    with pytest.raises(ServiceError) as err:
        pi_reveal(user=world["supervisor_a"], obj=complaint, field="phone_index", reason="回访客户")
    assert err.value.code == "unknown_field" and not PIAccessLog.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "status"), [("clerk_a", 403), ("clerk_b", 404), ("supervisor_b", 404)])
def test_reveal_refused_without_right_or_outside_hall(
    client, world, complaint, supervisor_b, persona, status
):
    user = supervisor_b if persona == "supervisor_b" else world[persona]
    login(client, user)
    response = client.post(
        f"/complaints/{complaint.pk}/reveal/", {"field": "contact_phone", "reason": "回访"}
    )
    assert response.status_code == status
    assert PHONE not in response.content.decode() and not PIAccessLog.objects.exists()


@pytest.mark.django_db
def test_reveal_is_post_only_and_nothing_goes_in_the_url(client, world, complaint):
    login(client, world["supervisor_a"])
    url = f"/complaints/{complaint.pk}/reveal/"
    assert client.get(url, {"field": "contact_phone", "reason": "回访"}).status_code == 405
    assert client.get(f"/api/v1/complaints/{complaint.pk}/reveal").status_code == 405
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert f'action="{url}"' in page and 'method="post"' in page
    assert not PIAccessLog.objects.exists()


@pytest.mark.django_db
def test_consultation_callback_reveal_on_page(client, world, consultation):
    login(client, world["supervisor_a"])
    url = f"/consultations/{consultation.pk}/reveal/"
    assert "18800188006" not in client.get(f"/consultations/{consultation.pk}/").content.decode()
    response = client.post(url, {"field": "contact_phone", "reason": "24小时内回电"})
    assert response.status_code == 200 and "18800188006" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert PIAccessLog.objects.get().subject_type == "consultations.consultation"
    assert client.post(url, {"field": "contact_phone", "reason": ""}).status_code == 400
    assert PIAccessLog.objects.count() == 1
    login(client, world["greeter_a"])  # records consultations, may not reveal
    assert client.post(url, {"field": "contact_phone", "reason": "回电"}).status_code == 403
    login(client, world["clerk_b"])
    assert client.post(url, {"field": "contact_phone", "reason": "回电"}).status_code == 404
    assert PIAccessLog.objects.count() == 1


# --- API -----------------------------------------------------------------------------------------------------


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.mark.django_db
def test_api_reveal_returns_value_and_audits(client, world, complaint):
    login(client, world["supervisor_a"])
    url = f"/api/v1/complaints/{complaint.pk}/reveal"
    r = _post(client, url, {"field": "complainant_name", "reason": "回访客户"})
    assert r.status_code == 200, r.content
    assert r.json() == {"field": "complainant_name", "value": "张桂兰"}
    assert "no-store" in r["Cache-Control"]
    assert PIAccessLog.objects.get().field == "complainant_name"


@pytest.mark.django_db
def test_api_reveal_bad_input_and_access(client, world, complaint, consultation, supervisor_b):
    url = f"/api/v1/complaints/{complaint.pk}/reveal"
    login(client, world["supervisor_a"])
    r = _post(client, url, {"field": "contact_phone"})
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = _post(client, url, {"field": "demand", "reason": "回访"})
    assert r.status_code == 400 and r.json()["code"] == "unknown_field"
    login(client, world["clerk_a"])
    r = _post(client, url, {"field": "contact_phone", "reason": "回访"})
    assert r.status_code == 403 and PHONE not in r.content.decode()
    login(client, supervisor_b)
    r = _post(client, url, {"field": "contact_phone", "reason": "回访"})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = _post(
        client,
        f"/api/v1/consultations/{consultation.pk}/reveal",
        {"field": "contact_phone", "reason": "回电"},
    )
    assert r.status_code == 404
    client.logout()
    assert _post(client, url, {"field": "contact_phone", "reason": "回访"}).status_code == 401
    assert not PIAccessLog.objects.exists()


@pytest.mark.django_db
def test_api_consultation_reveal(client, world, consultation):
    login(client, world["manager_a"])
    r = _post(
        client,
        f"/api/v1/consultations/{consultation.pk}/reveal",
        {"field": "contact_phone", "reason": "24小时内回电"},
    )
    assert r.status_code == 200 and r.json()["value"] == "18800188006"
    assert PIAccessLog.objects.get().hall == world["hall_a"]
