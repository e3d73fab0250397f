"""STF-3.1 pages and API: personas (clerk/manager of hall A, clerk of hall B, inspector, auditor), bad input,
materials in private storage, case reviews without personal information."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import login
from tests.training.conftest import SHANGHAI
from training import services as s
from training.models import Attendance, CaseLink, TrainingMaterial, TrainingSession

T0 = datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_manager_plans_a_session_on_the_page_and_clerk_signs_in_by_qr(client, world, time_machine):
    time_machine.move_to(T0 - timedelta(minutes=10), tick=False)
    login(client, world["manager_a"])
    resp = client.post(
        "/training/new/",
        {
            "hall": world["hall_a"].pk,
            "kind": "briefing",
            "title": "新业务解读:携号转网",
            "starts_at": "2026-11-18T09:00",
            "ends_at": "2026-11-18T10:00",
            "trainer": world["manager_a"].pk,
            "links": "https://example.com/a.pdf\n",
        },
    )
    assert resp.status_code == 302
    session = TrainingSession.objects.get(title="新业务解读:携号转网")
    assert session.starts_at == T0 and session.materials.count() == 1
    page = client.get(f"/training/{session.pk}/")
    assert page.status_code == 200 and "扫码签到" in page.content.decode()
    qr = client.get(f"/training/{session.pk}/qr/")
    assert qr.status_code == 200 and "<svg" in qr.content.decode()
    token = s.signin_token(session=session, actor=world["manager_a"])["token"]

    login(client, world["clerk_a"])
    assert client.get(f"/training/{session.pk}/qr/").status_code == 403  # only the trainer shows the code
    confirm = client.get(f"/training/s/{token}/")
    assert confirm.status_code == 200 and "确认签到" in confirm.content.decode()
    assert not Attendance.objects.exists()  # GET never signs in
    done = client.post(f"/training/s/{token}/")
    assert done.status_code == 200 and "签到成功" in done.content.decode()
    assert Attendance.objects.get().clerk == world["clerk_a"]
    mine = client.get("/training/mine/")
    assert "已签到" in mine.content.decode() and "已达标" in mine.content.decode()


@pytest.mark.django_db
def test_sign_in_page_needs_login_and_refuses_other_hall(client, world, plan, time_machine):
    time_machine.move_to(T0, tick=False)
    session = plan(T0)
    token = s.signin_token(session=session, actor=world["manager_a"])["token"]
    resp = client.get(f"/training/s/{token}/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    login(client, world["clerk_b"])
    resp = client.get(f"/training/s/{token}/")
    assert resp.status_code == 403 and "确认签到" not in resp.content.decode()
    resp = client.post(f"/training/s/{token}/")
    assert resp.status_code == 403 and "不能签到" in resp.content.decode()
    login(client, world["clerk_a"])
    time_machine.move_to(T0 + timedelta(minutes=15), tick=False)
    resp = client.post(f"/training/s/{token}/")
    assert resp.status_code == 400 and "已过期" in resp.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.django_db
def test_personas_see_only_their_pages(client, world, plan, time_machine):
    time_machine.move_to(T0, tick=False)
    session = plan(T0)
    login(client, world["clerk_a"])
    assert client.get("/training/").status_code == 302  # clerks land on their own page
    assert client.get("/training/mine/").status_code == 200
    assert client.get("/training/new/").status_code == 403
    assert client.get("/training/coverage/").status_code == 403
    assert client.get(f"/training/{session.pk}/").status_code == 200
    login(client, world["clerk_b"])
    assert client.get(f"/training/{session.pk}/").status_code == 404
    assert client.get("/training/?month=2026-11").status_code == 302
    login(client, world["inspector"])
    page = client.get("/training/coverage/?month=2026-11")
    assert (
        page.status_code == 200
        and "甲营业厅" in page.content.decode()
        and "乙营业厅" in page.content.decode()
    )
    assert client.get("/training/new/").status_code == 403
    assert client.get("/training/retraining/").status_code == 200
    login(client, world["auditor"])
    assert client.get("/training/?month=2026-11").status_code == 200
    assert client.get(f"/training/{session.pk}/").status_code == 200
    assert client.get("/training/new/").status_code == 403
    assert client.get("/training/retraining/").status_code == 403
    assert client.post(f"/training/{session.pk}/cancel/").status_code == 403
    login(client, world["manager_a"])
    page = client.get("/training/coverage/?month=2026-11")
    body = page.content.decode()
    assert "未参训人员" in body and "乙营业厅" not in body


@pytest.mark.django_db
def test_bad_input_on_pages_is_a_400_with_the_message(client, world, plan, time_machine):
    time_machine.move_to(T0, tick=False)
    session = plan(T0)
    login(client, world["manager_a"])
    resp = client.post(
        "/training/new/",
        {
            "hall": world["hall_a"].pk,
            "kind": "briefing",
            "title": "培训",
            "starts_at": "2026-11-18T10:00",
            "ends_at": "2026-11-18T09:00",
            "trainer_name": "王老师",
        },
    )
    assert resp.status_code == 400 and "结束时间必须晚于开始时间" in resp.content.decode()
    resp = client.post(
        "/training/new/",
        {
            "hall": world["hall_a"].pk,
            "kind": "briefing",
            "title": "培训",
            "starts_at": "2026-11-18T09:00",
            "ends_at": "2026-11-18T10:00",
        },
    )
    assert resp.status_code == 400 and "请选择讲师或填写讲师姓名" in resp.content.decode()
    assert client.get(f"/training/new/?hall={world['hall_b'].pk}").status_code == 404
    assert client.get("/training/?month=2026-13").status_code == 400
    assert client.get("/training/?kind=party").status_code == 400
    assert client.get("/training/coverage/?month=abc").status_code == 400
    resp = client.post(f"/training/{session.pk}/cases/", {"numbers": "TS-HA-20261101-0001"})
    assert resp.status_code == 400 and "只有案例复盘" in resp.content.decode()
    resp = client.post(
        f"/training/{session.pk}/materials/", {"file": SimpleUploadedFile("a.exe", b"MZ\x90\x00" * 8)}
    )
    assert resp.status_code == 400 and "资料类型不支持" in resp.content.decode()
    resp = client.post(f"/training/{session.pk}/materials/", {"url": "javascript:alert(1)"})
    assert resp.status_code == 400
    time_machine.move_to(T0 + timedelta(minutes=5), tick=False)
    token = s.signin_token(session=session, actor=world["manager_a"])["token"]
    attendance, _ = s.attendance_sign_in(token=token, clerk=world["clerk_a"])
    for bad in ("101", "-1", "abc", "9.5"):
        resp = client.post(f"/training/{session.pk}/attendance/{attendance.pk}/score/", {"score": bad})
        assert resp.status_code == 400, bad
    resp = client.post(f"/training/{session.pk}/attendance/{attendance.pk}/score/", {"score": "90"})
    assert resp.status_code == 302
    attendance.refresh_from_db()
    assert attendance.quiz_score == 90
    resp = client.post(
        "/training/retraining/", {"hall": world["hall_a"].pk, "clerk": world["clerk_a"].pk, "reason": ""}
    )
    assert resp.status_code == 400


@pytest.mark.django_db
def test_material_file_is_private_and_served_to_the_hall_only(
    client, world, plan, time_machine, private_storage
):
    time_machine.move_to(T0, tick=False)
    session = plan(T0)
    login(client, world["manager_a"])
    resp = client.post(
        f"/training/{session.pk}/materials/", {"title": "课件", "file": SimpleUploadedFile("张三.pdf", PDF)}
    )
    assert resp.status_code == 302
    material = TrainingMaterial.objects.get(kind="file")
    assert "张三" not in material.file.name and material.file.path.startswith(str(private_storage))
    login(client, world["clerk_a"])
    got = client.get(f"/training/{session.pk}/materials/{material.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    login(client, world["clerk_b"])
    assert client.get(f"/training/{session.pk}/materials/{material.pk}/").status_code == 404


@pytest.mark.django_db
def test_case_review_shows_complaints_without_personal_information(client, world, plan, time_machine):
    from complaints.models import Channel
    from complaints.services import complaint_intake

    time_machine.move_to(T0, tick=False)
    complaint = complaint_intake(
        hall=world["hall_a"],
        channel=Channel.ONSITE,
        complainant_name="张桂兰",
        contact_phone="13800138001",
        demand="套餐变更没生效,回电13800138001,要求退还30元",
        business_type=world["basic"],
        actor=world["clerk_a"],
    )
    other = complaint_intake(
        hall=world["hall_b"],
        channel=Channel.ONSITE,
        complainant_name="李四",
        contact_phone="13800138002",
        demand="等候时间太长",
        business_type=world["basic"],
        actor=world["clerk_b"],
    )
    review = plan(T0 + timedelta(days=1), kind="case_review", title="案例复盘：套餐变更")
    login(client, world["manager_a"])
    resp = client.post(f"/training/{review.pk}/cases/", {"numbers": other.number})
    assert resp.status_code == 400 and "本厅没有投诉编号" in resp.content.decode()
    assert client.post(f"/training/{review.pk}/cases/", {"numbers": complaint.number}).status_code == 302
    assert CaseLink.objects.get().complaint == complaint
    login(client, world["clerk_a"])
    body = client.get(f"/training/{review.pk}/").content.decode()
    assert complaint.number in body and "138****8001" in body
    assert "张桂兰" not in body and "张*" not in body and "13800138001" not in body
    api = client.get(f"/api/v1/training/sessions/{review.pk}").json()
    assert api["cases"][0]["number"] == complaint.number
    assert "13800138001" not in json.dumps(api, ensure_ascii=False) and "张桂兰" not in json.dumps(
        api, ensure_ascii=False
    )


@pytest.mark.django_db
def test_api_flow_personas_and_bad_input(client, world, time_machine):
    time_machine.move_to(T0 - timedelta(minutes=5), tick=False)
    body = {
        "hall": "HA",
        "kind": "retraining",
        "title": "转岗培训:服务规范",
        "starts_at": T0.isoformat(),
        "ends_at": (T0 + timedelta(hours=1)).isoformat(),
        "trainer": "manager_a",
        "has_quiz": True,
    }
    login(client, world["clerk_a"])
    assert _post_json(client, "/api/v1/training/sessions", body).status_code == 403
    login(client, world["manager_a"])
    for bad, code in [
        ({"kind": "party"}, "invalid_kind"),
        ({"ends_at": T0.isoformat()}, "end_before_start"),
        ({"trainer": "clerk_b"}, "trainer_invalid"),
        ({"trainer": "nobody"}, "user_not_found"),
        ({"links": ["ftp://x"]}, "invalid_link"),
    ]:
        resp = _post_json(client, "/api/v1/training/sessions", body | bad)
        assert resp.status_code == 400 and resp.json()["code"] == code, (bad, resp.content)
    assert _post_json(client, "/api/v1/training/sessions", body | {"hall": "HB"}).status_code == 404
    resp = _post_json(client, "/api/v1/training/sessions", body)
    assert resp.status_code == 201, resp.content
    sid = resp.json()["id"]
    r = _post_json(
        client, "/api/v1/training/retraining", {"hall": "HA", "clerk": "clerk_a", "reason": "三个月不达标"}
    )
    assert r.status_code == 201 and r.json()["status"] == "assigned"
    token = client.post(f"/api/v1/training/sessions/{sid}/sign-in-token").json()["token"]
    assert client.get("/api/v1/training/coverage?month=2026-11&hall=999999").status_code == 404
    assert client.get("/api/v1/training/coverage?month=2026/11").status_code == 400
    assert client.get("/api/v1/training/sessions?kind=x").status_code == 400
    assert client.get("/api/v1/training/retraining?status=x").status_code == 400

    login(client, world["clerk_b"])
    assert client.get(f"/api/v1/training/sessions/{sid}").status_code == 404
    resp = _post_json(client, "/api/v1/training/sign-in", {"token": token})
    assert resp.status_code == 403 and resp.json()["code"] == "other_hall"
    login(client, world["clerk_a"])
    resp = _post_json(client, "/api/v1/training/sign-in", {"token": token})
    assert resp.status_code == 201 and resp.json()["created"] is True
    assert _post_json(client, "/api/v1/training/sign-in", {"token": token}).status_code == 200
    mine = client.get("/api/v1/training/mine").json()
    assert mine["attended"] == 1 and mine["retraining"][0]["status"] == "done"
    detail = client.get(f"/api/v1/training/sessions/{sid}").json()
    assert [a["clerk"] for a in detail["attendances"]] == ["clerk_a"]
    aid = detail["attendances"][0]["id"]
    assert (
        _post_json(
            client, f"/api/v1/training/sessions/{sid}/attendances/{aid}/score", {"score": 90}
        ).status_code
        == 403
    )

    login(client, world["manager_a"])
    assert (
        _post_json(
            client, f"/api/v1/training/sessions/{sid}/attendances/{aid}/score", {"score": 101}
        ).status_code
        == 422
    )
    assert (
        _post_json(client, f"/api/v1/training/sessions/{sid}/attendances/{aid}/score", {"score": 95}).json()[
            "quiz_score"
        ]
        == 95
    )
    cov = client.get("/api/v1/training/coverage?month=2026-11").json()
    assert cov == [
        {
            "hall": "HA",
            "month": "2026-11",
            "required": 1,
            "total": 2,
            "covered": 1,
            "rate": 0.5,
            "missing": [
                {
                    "username": "greeter_a",
                    "name": world["greeter_a"].staff_profile.full_name,
                    "employee_number": world["greeter_a"].staff_profile.employee_number,
                    "attended": 0,
                    "covered": False,
                }
            ],
        }
    ]
    login(client, world["auditor"])
    assert len(client.get("/api/v1/training/coverage?month=2026-11").json()) == 2
    assert _post_json(client, "/api/v1/training/sessions", body).status_code == 403
    login(client, world["inspector"])
    assert client.get("/api/v1/training/retraining").status_code == 200
    assert _post_json(client, f"/api/v1/training/sessions/{sid}/cancel", {}).status_code == 403


@pytest.mark.django_db
def test_session_list_and_coverage_pages_do_not_grow_queries_with_rows(
    client, world, plan, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(T0, tick=False)
    for day in range(5):
        session = plan(T0 + timedelta(days=day))
        time_machine.move_to(T0 + timedelta(days=day, minutes=5), tick=False)
        s.attendance_sign_in(
            token=s.signin_token(session=session, actor=world["manager_a"])["token"], clerk=world["clerk_a"]
        )
    login(client, world["manager_a"])
    with django_assert_max_num_queries(15):
        assert client.get("/training/?month=2026-11").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/training/coverage/?month=2026-11").status_code == 200
    with django_assert_max_num_queries(15):
        assert len(client.get("/api/v1/training/sessions?month=2026-11").json()) == 5
