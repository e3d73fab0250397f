"""ENV-3 leftovers: a temporary announcement states its effective time and consultation channel (refused without
them by the service, the page and the API); it is white on red on the display and the kiosk with its effective time;
it prints as a 红底白字 A4/A3 poster; zone signs, business notices and tariff boards print from one sign template."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from floor import selectors, signs
from floor.models import Announcement, AnnouncementKind
from floor.services import announcement_publish
from lib.errors import ServiceError
from tests.complaints.pdftext import pdf_operators

pytestmark = pytest.mark.django_db

A4 = (595.28, 841.89)
A3 = (841.89, 1190.55)


def _temp(world, **kw):
    args = {
        "user": world["manager_a"],
        "hall": world["hall_a"],
        "kind": AnnouncementKind.BUSINESS_CHANGE,
        "title": "携号转网暂停",
        "body": "本周六系统升级,暂停办理携号转网。",
        "starts_at": timezone.now() - timedelta(minutes=1),
        "consult_phone": "10086",
    }
    args.update(kw)
    return announcement_publish(**args)


def _media_box(pdf: bytes) -> tuple[float, float]:
    m = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert m, "no MediaBox"
    return float(m.group(1)), float(m.group(2))


def test_env3_temporary_announcement_without_effective_time_is_refused(world):
    """ENV-3: 标注生效时间 — a temporary notice names its effective time; 'now by default' is not stated."""
    with pytest.raises(ServiceError) as exc:
        _temp(world, starts_at=None)
    assert exc.value.code == "starts_at_required" and exc.value.field == "starts_at"
    assert not Announcement.objects.exists()


def test_env3_normal_announcement_still_starts_now_by_default(world):
    a = announcement_publish(
        user=world["manager_a"], hall=world["hall_a"], kind=AnnouncementKind.NORMAL, title="t", body="b"
    )
    assert a.starts_at <= timezone.now()


def test_env3_page_puts_the_error_next_to_the_effective_time_field(client, world):
    client.force_login(world["manager_a"])
    url = reverse("floor:announcements", args=[world["hall_a"].pk])
    r = client.post(
        url, {"kind": "system_upgrade", "title": "系统升级", "body": "今晚升级", "consult_phone": "10086"}
    )
    assert r.status_code == 400
    form = r.context["form"]
    assert "starts_at" in form.errors and "临时公告须注明生效时间" in form.errors["starts_at"][0]
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    "missing, code",
    [("starts_at", "starts_at_required"), ("consult_phone", "consult_channel_required")],
)
def test_env3_api_refuses_a_temporary_notice_without_time_or_channel(client, world, missing, code):
    client.force_login(world["manager_a"])
    body = {
        "hall_id": world["hall_a"].pk,
        "kind": "system_upgrade",
        "title": "系统升级",
        "body": "今晚升级",
        "starts_at": timezone.now().isoformat(),
        "consult_phone": "10086",
    }
    body.pop(missing)
    r = client.post("/api/v1/floor/announcements", body, content_type="application/json")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == code and r.json()["message_en"]
    assert not Announcement.objects.exists()


def test_env3_display_and_kiosk_state_the_effective_time_on_red(client, world, display_token):
    hall = world["hall_a"]
    a = _temp(world, starts_at=timezone.now() - timedelta(hours=1))
    data = selectors.announcement_data(a)
    local = timezone.localtime(a.starts_at)
    assert data["temporary"] is True
    assert data["effective"] == f"生效时间：{local.month}月{local.day}日 {local:%H:%M}"
    state = client.get(
        reverse("floor:display_state", args=[hall.pk]), headers={"X-Device-Token": display_token}
    ).json()
    assert state["announcements"][0]["effective"] == data["effective"]
    html = Template('{% include "floor/_kiosk_notices.html" %}').render(Context({"hall": hall}))
    assert "floor-announcement-temp" in html and data["effective"] in html and "10086" in html


@pytest.mark.parametrize("size, box", [("A4", A4), ("A3", A3)])
def test_env3_announcement_poster_is_white_on_red_in_a4_and_a3(client, world, size, box):
    a = _temp(world)
    client.force_login(world["manager_a"])
    url = reverse("floor:announcement_poster", args=[world["hall_a"].pk, a.pk])
    r = client.get(url, {"size": size})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and b"/FontFile2" in r.content
    assert _media_box(r.content) == pytest.approx(box, abs=0.1)
    content = pdf_operators(r.content)
    assert signs.RED_FILL in content and signs.WHITE_TEXT in content  # 红底白字


def test_env3_poster_refuses_an_unknown_size_and_other_halls(client, world):
    a = _temp(world)
    client.force_login(world["manager_a"])
    url = reverse("floor:announcement_poster", args=[world["hall_a"].pk, a.pk])
    assert client.get(url, {"size": "A0"}).status_code == 400
    client.force_login(world["clerk_b"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("kind", ["zone_sign", "business_notice", "tariff_board"])
def test_env3_signs_print_from_one_template(client, world, kind):
    """ENV-3: 统一视觉规范 — every sign is the one template: hall name, zone, text."""
    hall = world["hall_a"]
    zone = hall.zones.first()
    client.force_login(world["manager_a"])
    url = reverse("floor:signs", args=[hall.pk])
    assert client.get(url).status_code == 200
    data = {"kind": kind, "title": "业务须知", "text": "办理业务请携带本人有效身份证件。", "size": "A3"}
    if zone is not None:
        data["zone"] = zone.pk
    r = client.post(url, data)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf", r.content[:300]
    assert _media_box(r.content) == pytest.approx(A3, abs=0.1)
    assert signs.BRAND_FILL in pdf_operators(r.content)


def test_env3_sign_form_errors_sit_next_to_the_field(client, world):
    client.force_login(world["manager_a"])
    r = client.post(
        reverse("floor:signs", args=[world["hall_a"].pk]), {"kind": "zone_sign", "title": "", "text": ""}
    )
    assert r.status_code == 400 and "title" in r.context["form"].errors


def test_env3_every_sign_carries_the_one_template_mark(client, world):
    """The announcement poster and the signs come out of ``signs.sign_pdf`` (the facilities maintenance poster's test
    is in tests/facilities/test_api_pages.py)."""
    a = _temp(world)
    client.force_login(world["manager_a"])
    poster = client.get(reverse("floor:announcement_poster", args=[world["hall_a"].pk, a.pk])).content
    sign = client.post(
        reverse("floor:signs", args=[world["hall_a"].pk]),
        {"kind": "tariff_board", "title": "资费", "text": "套餐"},
    ).content
    for pdf in (poster, sign):
        assert signs.template_mark(pdf)
