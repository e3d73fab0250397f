"""Pages and API by persona (clerk/manager of hall A, clerk of hall B, inspector, auditor, shopper); SUP-1.1,
SUP-1.3, STF-1. Each view: allowed / forbidden / other hall invisible / anonymous; bad input is a 4xx."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from inspections import services as s
from inspections import visit_services as vs
from inspections.models import Rectification, RectificationStatus, Visit
from tests.conftest import login
from tests.inspections.conftest import all_pass, fake_exe, png

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 4, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _in_the_week_tested():
    """Every test here is about the week of NOW, so each starts the day before it: its people are created then, and
    the later instants are days after, not months (a 90-day-old password forces a change; a session expires)."""
    with time_machine.travel(NOW - timedelta(days=1), tick=True):
        yield


@pytest.fixture(autouse=True)
def _item_bank(_in_the_week_tested, _item_bank):
    """The conftest's item bank (and its ``world``), created only once the week's clock runs."""


@pytest.fixture
def submitted(iw):
    with time_machine.travel(NOW, tick=False):
        run = s.inspection_start(hall=iw["hall_a"], actor=iw["manager_a"])
        run = s.inspection_submit(
            inspection=run,
            answers=all_pass(run.snapshot, **{"ENV-CLEAN": {"result": "fail", "photo": png()}}),
            actor=iw["manager_a"],
        )
    return run


@pytest.fixture
def visit(iw):
    with time_machine.travel(NOW, tick=False):
        return vs.visit_plan(
            hall=iw["hall_a"],
            scenario="办理新号码",
            item_codes=["STF-GREET"],
            window_start=date(2026, 11, 4),
            window_end=date(2026, 11, 30),
            shopper=iw["shopper"],
            actor=iw["inspector"],
        )


def test_sup_1_1_tablet_form_submit_and_report(client, iw):
    with time_machine.travel(NOW, tick=False):
        # Signed in at the test's own instant: a session from the real "now" would be days idle by NOW.
        login(client, iw["manager_a"])
        r = client.post(reverse("inspections:start"), {"hall": iw["hall_a"].pk})
        assert r.status_code == 302
        url = r["Location"]
        page = client.get(url)
        assert page.status_code == 200 and "关键项" in page.content.decode()
        run = page.context["run"]
        data = {}
        for item in run.snapshot:
            if item["response_type"] == "pass_fail":
                data[f"r-{item['code']}"] = "pass"
            elif item["response_type"] == "score":
                data[f"s-{item['code']}"] = str(item["max_score"])
            else:
                data[f"n-{item['code']}"] = "5"
        bad = client.post(url, data | {"r-ENV-CLEAN": "fail"})
        assert bad.status_code == 400 and "不合格项须拍照留证" in bad.content.decode()
        bad = client.post(url, data | {"s-ENV-SEAT": "9"})
        assert bad.status_code == 400
        ok = client.post(
            url, data | {"r-ENV-CLEAN": "fail", "photo-ENV-CLEAN": png(), "note-ENV-CLEAN": "台面有杂物"}
        )
        assert ok.status_code == 302
        report = client.get(url)
        assert report.status_code == 200 and "服务自查报告" in report.content.decode()
        pdf = client.get(reverse("inspections:report_pdf", args=[run.pk]))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert b"/Subtype /Image" in pdf.content
        answer = run.answers.get(item_code="ENV-CLEAN")
        photo = client.get(reverse("inspections:answer_photo", args=[answer.pk]))
        assert photo.status_code == 200 and photo["Content-Type"] == "image/png"


def test_sup_1_1_personas_on_report_and_board(client, iw, submitted):
    url = reverse("inspections:inspection", args=[submitted.pk])
    for name, code in [
        ("clerk_a", 200),
        ("manager_a", 200),
        ("inspector", 200),
        ("auditor", 200),
        ("clerk_b", 404),
        ("shopper", 404),
    ]:
        client.force_login(iw[name])
        assert client.get(url).status_code == code, name
        assert client.get(reverse("inspections:report_pdf", args=[submitted.pk])).status_code == code, name
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(iw["clerk_b"])
    assert "台面" not in client.get(reverse("inspections:board")).content.decode()
    client.force_login(iw["clerk_a"])
    board = client.get(reverse("inspections:board"))
    assert board.status_code == 200 and "大厅地面" in board.content.decode()
    assert client.get(reverse("inspections:board") + "?print=1").status_code == 200
    assert client.get(reverse("inspections:board") + "?status=bogus").status_code == 400
    assert client.post(reverse("inspections:start"), {"hall": iw["hall_a"].pk}).status_code == 403
    client.force_login(iw["shopper"])
    assert client.get(reverse("inspections:board")).status_code == 403
    assert client.get(reverse("inspections:index")).status_code == 403


def test_sup_1_1_rectification_complete_with_photo_and_verify_pages(client, iw, submitted):
    rect = Rectification.objects.get(inspection=submitted)
    url = reverse("inspections:rectification", args=[rect.pk])
    client.force_login(iw["clerk_b"])
    assert client.get(url).status_code == 404
    client.force_login(iw["clerk_a"])  # not the owner, no verify right
    assert (
        client.post(
            reverse("inspections:rectification_complete", args=[rect.pk]), {"photo": png()}
        ).status_code
        == 403
    )
    client.force_login(iw["manager_a"])
    r = client.post(reverse("inspections:rectification_complete", args=[rect.pk]), {"photo": fake_exe()})
    assert r.status_code == 400
    r = client.post(
        reverse("inspections:rectification_complete", args=[rect.pk]), {"photo": png(), "note": "已清理"}
    )
    assert r.status_code == 302
    assert client.get(reverse("inspections:evidence", args=[rect.pk])).status_code == 200
    r = client.post(reverse("inspections:rectification_verify", args=[rect.pk]), {"decision": "maybe"})
    assert r.status_code == 400
    r = client.post(reverse("inspections:rectification_verify", args=[rect.pk]), {"decision": "accept"})
    assert r.status_code == 302
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.VERIFIED


def test_stf_1_appearance_page_few_taps(client, iw):
    client.force_login(iw["clerk_a"])
    assert client.get(reverse("inspections:appearance")).status_code == 403
    client.force_login(iw["supervisor_a"])
    page = client.get(reverse("inspections:appearance"))
    assert page.status_code == 200 and "工牌" in page.content.decode()
    r = client.post(
        reverse("inspections:appearance"),
        {"hall": iw["hall_a"].pk, "clerk": [iw["clerk_a"].pk], f"miss-{iw['clerk_a'].pk}": ["APP-HAIR"]},
    )
    assert r.status_code == 302
    assert iw["clerk_a"].conduct_findings.get().item == "APP-HAIR"
    # Issue 10 §3: the check just recorded reads in the checklist's words, not the item's code.
    after = client.get(r["Location"]).content.decode()
    assert "今日已检查：未达标 发型" in after and "APP-HAIR</p>" not in after
    assert (
        client.post(reverse("inspections:appearance"), {"hall": iw["hall_a"].pk, "clerk": ["x"]}).status_code
        == 400
    )
    assert client.get(reverse("inspections:appearance") + f"?hall={iw['hall_b'].pk}").status_code == 404
    client.force_login(iw["clerk_a"])
    assert "发型" in client.get(reverse("inspections:findings")).content.decode()


def test_sup_1_3_shopper_sees_only_own_visits_and_no_hall_data(client, iw, visit, submitted):
    client.force_login(iw["shopper"])
    assert client.get(reverse("inspections:my_visits")).status_code == 200
    assert client.get(reverse("inspections:my_visit", args=[visit.pk])).status_code == 200
    assert client.get(reverse("inspections:visit", args=[visit.pk])).status_code == 404
    assert client.get(reverse("inspections:visits")).status_code == 403
    # Existing pages give it nothing.
    assert client.get(reverse("complaints:list")).status_code in (403, 404)
    assert client.get(reverse("queueing:records")).status_code in (403, 404)
    assert client.get(reverse("queueing:records") + f"?hall={iw['hall_a'].pk}").status_code in (403, 404)
    home = client.get(reverse("home"))
    assert home.status_code == 200 and iw["hall_a"].name not in home.content.decode()
    for path in [
        "/api/v1/complaints",
        "/api/v1/inspections/runs",
        "/api/v1/inspections/visits",
        "/api/v1/inspections/rectifications",
        "/api/v1/halls/",
    ]:
        r = client.get(path)
        assert r.status_code in (200, 403, 404), path
        if r.status_code == 200:
            assert r.json() in ([], {"items": [], "count": 0}), (path, r.json())
    assert [v["id"] for v in client.get("/api/v1/inspections/my-visits").json()] == [visit.pk]
    # Another shopper's visit is invisible.
    other = vs.shopper_create(
        region=iw["region"], username="mystery2", password="Visit#Hall2026q", actor=iw["inspector"]
    )
    client.force_login(other.user)
    assert client.get(reverse("inspections:my_visit", args=[visit.pk])).status_code == 404
    assert client.get("/api/v1/inspections/my-visits").json() == []


def test_sup_1_3_hall_sees_nothing_before_acceptance(client, iw, visit):
    for name in ("clerk_a", "manager_a", "auditor", "clerk_b"):
        client.force_login(iw[name])
        assert client.get(reverse("inspections:visit", args=[visit.pk])).status_code == 404, name
        assert "办理新号码" not in client.get(reverse("inspections:visits")).content.decode()
        assert client.get(f"/api/v1/inspections/visits/{visit.pk}").status_code == 404
    client.force_login(iw["inspector"])
    assert client.get(reverse("inspections:visit", args=[visit.pk])).status_code == 200
    assert client.get(reverse("inspections:visits") + "?status=bogus").status_code == 400


def test_sup_1_3_shopper_report_page_and_inspector_review(client, iw, visit, settings):
    settings.TINGWU_VISIT_MIN_PHOTOS = 1
    url = reverse("inspections:my_visit", args=[visit.pk])
    form = {
        "arrived_at": "2026-11-05T10:00",
        "left_at": "2026-11-05T10:30",
        "ticket_number": "A001",
        "r-STF-GREET": "fail",
        "findings": "短",
    }
    with time_machine.travel(datetime(2026, 11, 5, 12, 0, tzinfo=SH), tick=False):
        client.force_login(iw["shopper"])
        assert client.post(url, form | {"files": [png()]}).status_code == 400
        r = client.post(url, form | {"findings": "无人问候" * 25, "files": [png()], "clerk_observed": "李四"})
        assert r.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "submitted" and visit.clerk_observed == "李四"
    client.force_login(iw["inspector"])
    detail = client.get(reverse("inspections:visit", args=[visit.pk]))
    assert detail.status_code == 200 and "李四" not in detail.content.decode()  # masked
    media = visit.media.get()
    assert client.get(reverse("inspections:visit_media", args=[visit.pk, media.pk])).status_code == 200
    assert (
        client.post(reverse("inspections:visit_review", args=[visit.pk]), {"decision": "x"}).status_code
        == 400
    )
    assert (
        client.post(reverse("inspections:visit_review", args=[visit.pk]), {"decision": "accept"}).status_code
        == 302
    )
    client.force_login(iw["clerk_a"])
    assert client.get(reverse("inspections:visit", args=[visit.pk])).status_code == 200
    assert client.get(reverse("inspections:visit_media", args=[visit.pk, media.pk])).status_code == 200
    client.force_login(iw["clerk_b"])
    assert client.get(reverse("inspections:visit_media", args=[visit.pk, media.pk])).status_code == 404


def test_api_bad_input_and_scoping(client, iw, submitted):
    client.force_login(iw["manager_a"])
    assert client.get("/api/v1/inspections/runs?status=bogus").status_code == 400
    assert client.get("/api/v1/inspections/rectifications?status=bogus").status_code == 400
    assert client.get("/api/v1/inspections/visits?status=bogus").status_code == 400
    assert client.get("/api/v1/inspections/runs?limit=0").status_code == 422
    runs = client.get("/api/v1/inspections/runs").json()
    assert [r["id"] for r in runs] == [submitted.pk]
    assert (
        client.post("/api/v1/inspections/runs", {"hall": "HB"}, content_type="application/json").status_code
        == 404
    )
    with time_machine.travel(datetime(2026, 11, 11, 10, 0, tzinfo=SH), tick=False):
        client.force_login(iw["manager_a"])  # a week later: sign in again, as a person would
        r = client.post("/api/v1/inspections/runs", {"hall": "HA"}, content_type="application/json")
        assert r.status_code == 201
        run_id = r.json()["id"]
        bad = client.post(
            f"/api/v1/inspections/runs/{run_id}/submit",
            {"answers": {"NOPE": {"result": "pass"}}},
            content_type="application/json",
        )
        assert bad.status_code == 400 and bad.json()["code"] == "unknown_item"
        answers = {k: {kk: vv for kk, vv in v.items()} for k, v in all_pass(r.json()["items"]).items()}
        ok = client.post(
            f"/api/v1/inspections/runs/{run_id}/submit", {"answers": answers}, content_type="application/json"
        )
        assert ok.status_code == 200 and ok.json()["score_pct"] == 100.0
        again = client.post(
            f"/api/v1/inspections/runs/{run_id}/submit", {"answers": answers}, content_type="application/json"
        )
        assert again.status_code == 409
    client.force_login(iw["manager_a"])  # back at the test's own now
    rect = Rectification.objects.get(inspection=submitted)
    r = client.post(
        f"/api/v1/inspections/rectifications/{rect.pk}/verify",
        {"accept": True},
        content_type="application/json",
    )
    assert r.status_code == 409
    client.force_login(iw["clerk_b"])
    assert client.get(f"/api/v1/inspections/runs/{submitted.pk}").status_code == 404
    assert client.get("/api/v1/inspections/rectifications").json() == []
    r = client.post(
        "/api/v1/inspections/appearance", {"hall": "HA", "clerks": [1]}, content_type="application/json"
    )
    assert r.status_code == 404
    client.force_login(iw["auditor"])
    assert len(client.get("/api/v1/inspections/rectifications").json()) == 1
    r = client.post(
        f"/api/v1/inspections/rectifications/{rect.pk}/verify",
        {"accept": True},
        content_type="application/json",
    )
    assert r.status_code == 403
    client.force_login(iw["inspector"])
    r = client.post(
        "/api/v1/inspections/visits",
        {
            "hall": "HA",
            "scenario": "x",
            "items": [],
            "window_start": "2026-12-01",
            "window_end": "2026-12-31",
            "shopper": iw["shopper"].pk,
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "items_required"
    assert json.loads(client.get("/api/v1/openapi.json").content)["paths"]["/api/v1/inspections/runs"]


def test_visit_model_unannounced_queryset(iw, visit):
    assert Visit.objects.for_user(iw["hq"]).count() == 1
    assert Visit.objects.for_user(iw["clerk_a"]).count() == 0


def test_stf_1_appearance_items_are_editable_by_publishing_a_version(client, iw):
    client.force_login(iw["manager_a"])
    assert client.get(reverse("inspections:templates")).status_code == 403
    client.force_login(iw["inspector"])
    assert client.get(reverse("inspections:templates")).status_code == 200
    r = client.post(
        reverse("inspections:templates"),
        {"action": "item", "code": "app-nails", "section": "appearance", "text": "指甲整洁"},
    )
    assert r.status_code == 302
    bad = client.post(
        reverse("inspections:templates"),
        {"action": "item", "code": "APP-NAILS", "section": "appearance", "text": "重复"},
    )
    assert bad.status_code == 400
    assert (
        client.post(
            reverse("inspections:templates"), {"action": "item", "code": "X1", "section": "nope", "text": "x"}
        ).status_code
        == 400
    )
    from inspections.models import InspectionTemplate

    template = InspectionTemplate.objects.get(kind="appearance")
    r = client.post(
        reverse("inspections:templates"),
        {"action": "publish", "template": template.pk, "items": ["APP-UNIFORM", "APP-NAILS"]},
    )
    assert r.status_code == 302
    assert [i["code"] for i in template.current().items] == ["APP-UNIFORM", "APP-NAILS"]
    assert (
        client.post(
            reverse("inspections:templates"), {"action": "publish", "template": template.pk, "items": []}
        ).status_code
        == 400
    )
    assert client.post(reverse("inspections:templates"), {"action": "zzz"}).status_code == 400
    client.force_login(iw["supervisor_a"])
    page = client.get(reverse("inspections:appearance"))
    assert "指甲整洁" in page.content.decode() and "发型整洁" not in page.content.decode()


def test_sup_1_1_api_submit_with_photos(client, iw):
    with time_machine.travel(NOW, tick=False):
        client.force_login(iw["manager_a"])
        run = client.post("/api/v1/inspections/runs", {"hall": "HA"}, content_type="application/json").json()
        answers = all_pass(run["items"], **{"ENV-CLEAN": {"result": "fail", "note": "台面杂物"}})
        url = f"/api/v1/inspections/runs/{run['id']}/submit-with-photos"
        no_photo = client.post(url, {"answers": json.dumps(answers)})
        assert no_photo.status_code == 400 and no_photo.json()["code"] == "photo_required"
        mismatch = client.post(
            url, {"answers": json.dumps(answers), "photo_items": "ENV-CLEAN,ENV-SIGN", "photos": [png()]}
        )
        assert mismatch.status_code == 400 and mismatch.json()["code"] == "photo_items_mismatch"
        assert client.post(url, {"answers": "not json"}).json()["code"] == "invalid_answers"
        ok = client.post(url, {"answers": json.dumps(answers), "photo_items": "ENV-CLEAN", "photos": [png()]})
        assert ok.status_code == 200, ok.json()
    assert Rectification.objects.get().inspection_id == run["id"]
