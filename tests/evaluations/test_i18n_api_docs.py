"""SUP-1.2 pages in English, the OpenAPI document of the evaluations API, the menu entries."""

from __future__ import annotations

from django.test import Client

from evaluations import services as es
from tests.evaluations.conftest import finish


def test_pad_and_phone_pages_in_english(ev):
    _pad, raw = es.rating_pad_create(counter=ev["c1"], actor=ev["manager_a"])
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.post("/evaluations/pad/pair/", {"token": raw})
    c.cookies["django_language"] = "en"
    body = c.get("/evaluations/pad/panel").content.decode()
    assert "Welcome" in body
    inv = es.invitation_create(ticket=finish(ev))
    body = c.get(f"/evaluations/r/{es.link_token(inv)}/").content.decode()
    assert "Very satisfied" in body and "Submit rating" in body


def test_openapi_lists_the_evaluation_endpoints(ev):
    c = Client()
    c.force_login(ev["manager_a"])
    paths = c.get("/api/v1/openapi.json").json()["paths"]
    for p in [
        "/api/v1/evaluations/sms/inbound",
        "/api/v1/evaluations/app",
        "/api/v1/evaluations/pad",
        "/api/v1/evaluations/report",
        "/api/v1/evaluations/follow-ups",
    ]:
        assert p in paths, p


def test_menu_entries_by_role(ev):
    for persona, expected, absent in [("manager_a", "客户评价", None), ("clerk_a", "我的评价", "差评回访")]:
        c = Client()
        c.force_login(ev[persona])
        body = c.get("/").content.decode()
        assert expected in body, persona
        if absent:
            assert absent not in body


def test_pads_page_provisions_for_a_manager_only(ev):
    c = Client()
    c.force_login(ev["clerk_a"])
    assert c.get(f"/evaluations/halls/{ev['hall'].pk}/pads/").status_code == 403
    c.force_login(ev["clerk_b"])
    assert c.get(f"/evaluations/halls/{ev['hall'].pk}/pads/").status_code == 404
    c.force_login(ev["manager_a"])
    assert c.get(f"/evaluations/halls/{ev['hall'].pk}/pads/").status_code == 200
    r = c.post(f"/evaluations/halls/{ev['hall'].pk}/pads/", {"counter": ev["c1"].pk})
    assert r.status_code == 200 and "tw_" in r.content.decode()
    assert c.post(f"/evaluations/halls/{ev['hall'].pk}/pads/", {"counter": 999999}).status_code == 400


def test_follow_up_page_completes_with_an_outcome(ev):
    e = es.evaluation_submit(invitation=es.invitation_create(ticket=finish(ev)), level=1, channel="web")
    c = Client()
    c.force_login(ev["supervisor_a"])
    assert c.get("/evaluations/follow-ups/").status_code == 200
    r = c.post("/evaluations/follow-ups/", {"follow_up": e.follow_up.pk, "outcome": "", "note": "x"})
    assert r.status_code == 400
    r = c.post(
        "/evaluations/follow-ups/", {"follow_up": e.follow_up.pk, "outcome": "resolved", "note": "已回电解决"}
    )
    assert r.status_code == 302
    e.follow_up.refresh_from_db()
    assert e.follow_up.status == "done"
    c.force_login(ev["clerk_a"])
    assert c.get("/evaluations/follow-ups/").status_code == 403
    r = c.post(
        f"/api/v1/evaluations/follow-ups/{e.follow_up.pk}/complete",
        {"outcome": "resolved", "note": "再次回访"},
        content_type="application/json",
    )
    assert r.status_code == 404


def test_sup_1_2_pad_api_state_and_answer(ev):
    _pad, raw = es.rating_pad_create(counter=ev["c1"], actor=ev["manager_a"])
    c = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    r = c.get("/api/v1/evaluations/pad", **auth)
    assert r.status_code == 200 and r.json()["lit"] is False
    t = finish(ev)
    r = c.get("/api/v1/evaluations/pad", **auth).json()
    assert (
        r["lit"]
        and r["ticket_id"] == t.pk
        and r["clerk"].endswith(f"({ev['clerk_a'].staff_profile.employee_number})")
    )
    r = c.post(
        "/api/v1/evaluations/pad", {"ticket_id": t.pk, "level": 4}, content_type="application/json", **auth
    )
    assert r.status_code == 201 and r.json()["level_label"] == "满意" and r.json()["clerk"]
    r = c.post(
        "/api/v1/evaluations/pad", {"ticket_id": t.pk, "level": 4}, content_type="application/json", **auth
    )
    assert r.status_code == 409 and r.json()["code"] == "already_evaluated"
    r = c.post(
        "/api/v1/evaluations/pad", {"ticket_id": t.pk, "level": "x"}, content_type="application/json", **auth
    )
    assert r.status_code == 422
    assert c.get("/api/v1/evaluations/pad").status_code == 401
