"""Review of complaints/consultations against the conventions: scoping by capability, stale writes, bad input,
PI in API output. Each test was written failing before its fix."""

from __future__ import annotations

import pytest

from complaints import services as s
from complaints.models import Complaint, Status
from consultations import services as cs
from consultations.models import Channel as ConsultationChannel
from integrations.models import TokenKind, token_create
from lib.errors import Conflict
from staff.models import HallRole
from tests import factories as f
from tests.conftest import login


@pytest.mark.django_db
def test_stale_copy_cannot_move_a_complaint_back(world, intake):
    """A same-status write (details, task force, confirming the class) must not restore the status the caller last
    saw: the conditional UPDATE is on the status it read, not on "any open status"."""
    c = intake()
    stale = Complaint.objects.get(pk=c.pk)
    s.complaint_contact(complaint=c, actor=world["supervisor_a"], note="已电话联系客户")
    with pytest.raises(Conflict):
        s.complaint_update_details(complaint=stale, actor=world["supervisor_a"], related_reference="A012")
    with pytest.raises(Conflict):
        s.complaint_classify(complaint=stale, kind=stale.kind, actor=world["supervisor_a"])
    assert Complaint.objects.get(pk=c.pk).status == Status.CONTACTED


@pytest.mark.django_db
def test_greeter_cannot_read_complaint_files(client, world, intake):
    """Greeters hold no complaint capability: the file, its receipt and the API detail are not theirs to read."""
    c = intake()
    login(client, world["greeter_a"])
    assert client.get(f"/complaints/{c.pk}/").status_code == 404
    assert client.get(f"/complaints/{c.pk}/receipt.pdf").status_code == 404
    assert client.get(f"/api/v1/complaints/{c.pk}").status_code == 404
    assert client.get(f"/api/v1/complaints/{c.pk}/receipt.pdf").status_code == 404


@pytest.mark.django_db
def test_right_in_one_hall_does_not_open_another(client, world, intake):
    """Manager in A, greeter in B: B's complaints stay out of the list, the API and the hot spots."""
    mixed = f.user(
        "mixed", hall_roles=[(world["hall_a"], HallRole.HALL_MANAGER), (world["hall_b"], HallRole.GREETER)]
    )
    b = intake(hall=world["hall_b"], actor=world["clerk_b"])
    login(client, mixed)
    assert b.number not in client.get("/complaints/").content.decode()
    assert b.number not in client.get("/api/v1/complaints").content.decode()
    assert client.get(f"/complaints/{b.pk}/").status_code == 404
    month = b.accepted_at.strftime("%Y-%m")
    hot = client.get("/complaints/hotspots/", {"month": month})
    assert hot.status_code == 200 and hot.context["data"]["total"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/complaints/?hall=abc",
        "/complaints/?business_type=x",
        "/complaints/hotspots/?hall=abc",
        "/complaints/hotspots/export.xlsx?hall=abc",
        "/consultations/?hall=abc",
    ],
)
def test_bad_filter_values_are_a_400_never_ignored_nor_500(client, world, url):
    """Issue 10 §4: an unknown filter value is refused (a silently unfiltered list misleads), not a 500."""
    login(client, world["manager_a"])
    assert client.get(url).status_code == 400


@pytest.mark.django_db
def test_api_intake_refuses_business_type_not_offered_by_the_hall(client, world):
    _token, raw = token_create(hall=world["hall_c"], kind=TokenKind.WECOM, name="丙厅企业微信")
    body = {
        "complainant_name": "王芳",
        "contact_phone": "13700137003",
        "demand": "合约机提前解约被收取违约金",
        "business_type": "CONTRACT",
    }
    r = client.post(
        "/api/v1/complaints", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert r.status_code == 400 and r.json()["code"] == "business_type_required"
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_consultation_question_and_answer_are_masked_in_api_and_page(client, world):
    c = cs.consultation_record(
        hall=world["hall_a"],
        channel=ConsultationChannel.ONSITE,
        customer_name="刘洋",
        contact_phone="18800188006",
        question="副卡13912345678怎么办理?",
        actor=world["greeter_a"],
    )
    login(client, world["supervisor_a"])
    assert "13912345678" not in client.get(f"/api/v1/consultations/{c.pk}").content.decode()
    assert "13912345678" not in client.get(f"/consultations/{c.pk}/").content.decode()
