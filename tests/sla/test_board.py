"""The due-soon board and the SLA API: allowed / forbidden / other hall invisible (CMP-2.1, BIZ-2.1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sla.models import Target
from sla.services import clock_meet, clock_start, sla_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def clocks(world):
    now = timezone.now()
    overdue = clock_start(
        subject=world["hall_a"],
        target=Target.COMPLAINT_FIRST_CONTACT,
        hall=world["hall_a"],
        started_at=now - timedelta(hours=3),
    )
    due_soon = clock_start(
        subject=world["hall_a"],
        target=Target.CONSULTATION_ONLINE_FIRST_RESPONSE,
        hall=world["hall_a"],
        started_at=now - timedelta(minutes=50),
    )
    far = clock_start(
        subject=world["hall_a"],
        target=Target.COMPLAINT_COMPLEX_PROGRESS,
        hall=world["hall_a"],
        started_at=now,
    )
    other_hall = clock_start(
        subject=world["hall_b"],
        target=Target.COMPLAINT_FIRST_CONTACT,
        hall=world["hall_b"],
        started_at=now - timedelta(hours=1),
    )
    sla_sweep()
    return {"overdue": overdue, "due_soon": due_soon, "far": far, "other_hall": other_hall}


def test_supervisor_sees_own_hall_overdue_first_and_not_other_halls(
    client, world, clocks, django_assert_max_num_queries
):
    client.force_login(world["supervisor_a"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("sla:board"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["clock"].pk for r in rows] == [clocks["overdue"].pk, clocks["due_soon"].pk]
    assert [r["state"] for r in rows] == ["overdue", "due_soon"]
    html = response.content.decode()
    assert "甲营业厅" in html and "乙营业厅</td>" not in html
    assert response.context["overdue"] == 1


def test_inspector_sees_every_hall_of_the_region_and_a_wider_window(client, world, clocks):
    client.force_login(world["inspector"])
    response = client.get(reverse("sla:board"), {"within": 100})
    ids = {r["clock"].pk for r in response.context["rows"]}
    assert ids == {c.pk for c in clocks.values()}


def test_met_clocks_leave_the_board(client, world, clocks):
    clock_meet(subject=world["hall_a"], target=Target.COMPLAINT_FIRST_CONTACT)
    client.force_login(world["supervisor_a"])
    response = client.get(reverse("sla:board"))
    assert clocks["overdue"].pk not in {r["clock"].pk for r in response.context["rows"]}


def test_clerk_is_forbidden(client, world, clocks):
    client.force_login(world["clerk_a"])
    assert client.get(reverse("sla:board")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("sla:board"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_bad_filter_shows_the_error_next_to_the_field_and_keeps_the_input(client, world, clocks):
    client.force_login(world["supervisor_a"])
    response = client.get(reverse("sla:board"), {"within": "999", "hall": world["hall_b"].pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert "within" in form.errors and "hall" in form.errors  # hall B is not one of the supervisor's halls
    assert 'value="999"' in response.content.decode()


def test_htmx_refresh_returns_only_the_table(client, world, clocks):
    client.force_login(world["supervisor_a"])
    response = client.get(reverse("sla:board"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith('<div id="sla-board"') and "<html" not in html


# --- API ----------------------------------------------------------------------------------------------------


def test_api_clocks_of_a_subject_with_events(client, world, clocks):
    client.force_login(world["supervisor_a"])
    response = client.get(
        "/api/v1/sla/clocks", {"subject_type": "halls.hall", "subject_id": world["hall_a"].pk}
    )
    assert response.status_code == 200
    data = response.json()
    assert [c["target"] for c in data] == [
        "complaint_first_contact",
        "consultation_online_first_response",
        "complaint_complex_progress",
    ]
    first = data[0]
    assert first["state"] == "overdue" and first["escalation_level"] >= 1
    kinds = [e["kind"] for e in first["events"]]
    assert kinds[0] == "started" and "breached" in kinds and "escalated" in kinds


def test_api_other_hall_clocks_are_invisible(client, world, clocks):
    client.force_login(world["supervisor_a"])
    response = client.get(
        "/api/v1/sla/clocks", {"subject_type": "halls.hall", "subject_id": world["hall_b"].pk}
    )
    assert response.status_code == 200 and response.json() == []
    response = client.get("/api/v1/sla/board", {"hall_id": world["hall_b"].pk})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_api_errors_have_stable_codes(client, world, clocks):
    assert client.get("/api/v1/sla/board").status_code == 401
    client.force_login(world["clerk_a"])
    forbidden = client.get("/api/v1/sla/board")
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    client.force_login(world["supervisor_a"])
    bad = client.get("/api/v1/sla/clocks", {"subject_type": "nope.nothing", "subject_id": 1})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_subject_type"
    assert client.get("/api/v1/sla/board", {"within_hours": 0}).status_code == 422


def test_api_board_lists_due_clocks_most_urgent_first(client, world, clocks):
    client.force_login(world["hq"])
    data = client.get("/api/v1/sla/board", {"within_hours": 2}).json()
    assert [c["id"] for c in data] == [clocks["overdue"].pk, clocks["due_soon"].pk, clocks["other_hall"].pk]


def test_board_is_complete_in_english(client, world, clocks, settings):
    client.force_login(world["supervisor_a"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("sla:board")).content.decode()
    assert "Deadline board" in html and "Overdue" in html and "Complaint first contact (2 h)" in html


def test_service_errors_carry_english_messages(world):
    from lib.errors import ServiceError
    from sla.services import clock_pause

    clock = clock_start(subject=world["hall_a"], target=Target.COMPLAINT_FIRST_CONTACT, hall=world["hall_a"])
    with pytest.raises(ServiceError) as exc:
        clock_pause(clock=clock, actor=world["supervisor_a"], reason="x")
    assert (
        exc.value.messages()["message_en"]
        == "This time limit is a promise to the customer and cannot be paused"
    )


def test_admin_lists_clocks_read_only(client, world, clocks):
    from tests import factories as f

    root = f.user("root", superuser=True)
    root.is_staff = True
    root.save()
    client.force_login(root)
    assert client.get("/admin/sla/clock/").status_code == 200
    detail = client.get(f"/admin/sla/clock/{clocks['overdue'].pk}/change/")
    assert detail.status_code == 200 and "逐级上报" in detail.content.decode()
    assert client.get("/admin/sla/clock/add/").status_code == 403
