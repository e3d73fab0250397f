"""Issue 9 §2: the case-file kernel complaints, consultations and home visits share — one contact (encrypted phone
and blind index), one timeline writer, one masked read-out, one audited reveal (CMP-2.1, BIZ-2.1, BIZ-1.2, BIZ-3)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from casework.models import CaseFile, TimelineEvent
from casework.services import timeline_add
from complaints.models import Complaint, ComplaintEvent
from consultations import services as cs
from consultations.models import Consultation, ConsultationEvent
from privacy import crypto
from privacy.models import PIAccessLog
from tests.personas import Personas, check_personas
from visits.models import HomeVisit, VisitEvent

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
REVEALERS = Personas(allowed="supervisor_a", forbidden="clerk_a", other_hall="clerk_b")


@pytest.fixture
def complaint(world):
    from complaints.services import complaint_intake

    return complaint_intake(
        hall=world["hall_a"],
        channel="onsite",
        complainant_name="张桂兰",
        contact_phone="13800138001",
        demand="上月办理的套餐变更一直没生效,要求退还",
        business_type=world["basic"],
        actor=world["clerk_a"],
    )


@pytest.fixture
def consultation(world):
    return cs.consultation_record(
        hall=world["hall_a"],
        channel="onsite",
        customer_name="刘洋",
        contact_phone="18800188006",
        question="副卡怎么办理?我的号码13912345678",
        actor=world["greeter_a"],
    )


def test_the_three_domains_share_the_abstract_kernel_without_a_table_of_its_own():
    for model, event in (
        (Complaint, ComplaintEvent),
        (Consultation, ConsultationEvent),
        (HomeVisit, VisitEvent),
    ):
        assert issubclass(model, CaseFile) and issubclass(event, TimelineEvent)
        assert model._meta.get_field("events").related_model is event
    assert CaseFile._meta.abstract and TimelineEvent._meta.abstract


def test_no_migration_is_pending(capsys):
    """The kernel moved fields into abstract models: the columns are unchanged, so no migration is produced."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=1)
    assert "No changes detected" in capsys.readouterr().out


def test_the_contact_phone_is_encrypted_with_its_blind_index(consultation):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_phone, phone_index FROM consultations_consultation WHERE id = %s",
            [consultation.pk],
        )
        raw, index = cursor.fetchone()
    assert crypto.is_encrypted(raw) and "18800188006" not in raw
    assert index == crypto.blind_index("phone", "18800188006")
    assert (consultation.masked_phone, consultation.masked_name) == ("188****8006", "刘*")
    assert consultation.masked_question == "副卡怎么办理?我的号码139****5678"


def test_timeline_add_writes_the_cases_own_event_model(world, consultation):
    event = timeline_add(
        consultation, "first_response", actor=world["supervisor_a"], note="已回电", data={"x": 1}
    )
    assert isinstance(event, ConsultationEvent) and event.consultation == consultation
    assert event.hall_id == consultation.hall_id and event.data == {"x": 1}
    assert world["supervisor_a"].staff_profile.full_name in event.actor_label
    assert timeline_add(consultation, "recorded").actor_label == "系统"
    assert str(event).startswith(f"{consultation.pk} first_response ")


def test_mask_text_masks_the_contacts_own_name(consultation):
    assert consultation.mask_text("刘洋说号码13912345678停机了") == "刘*说号码139****5678停机了"


@pytest.mark.parametrize("domain", ["complaints", "consultations"])
def test_one_reveal_view_for_every_domain_personas_and_audit(client, world, complaint, consultation, domain):
    case = complaint if domain == "complaints" else consultation
    r = check_personas(
        client,
        world,
        reverse(f"{domain}:reveal", args=[case.pk]),
        REVEALERS,
        method="post",
        data={"field": "contact_phone", "reason": "回电"},
        allowed_status=200,
    )
    assert case.contact_phone in r["allowed"].content.decode()
    assert r["allowed"]["Cache-Control"] == "private, no-store"
    assert PIAccessLog.objects.filter(subject_id=str(case.pk), field="contact_phone").count() == 1


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_consultations_and_visits_import_nothing_from_complaints():
    """Consultations and visits use the kernel, not complaints' helpers (issue 9 §2)."""
    for app in ("consultations", "visits", "casework"):
        for path in (ROOT / app).glob("*.py"):
            found = {m for m in _imports(path) if m == "complaints" or m.startswith("complaints.")}
            assert not found, f"{path.relative_to(ROOT)} imports {found}"
