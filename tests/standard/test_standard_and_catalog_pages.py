"""SUP-3 standard versioning through the pages (in force at T, overlaps rejected, compare) and the BIZ-1.1
business guide (materials, steps, time limit from the standard in force, printable with a QR code)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lib.errors import ServiceError
from standard.models import StandardParameter, StandardVersion
from standard.services import standard_compare, standard_in_force, standard_publish

pytestmark = pytest.mark.django_db


def _v2_params(minutes=12):
    return [
        {
            "code": "handling.basic_minutes",
            "clause": "BIZ-2.2",
            "label": "基础",
            "value": minutes,
            "unit": "min",
        }
    ]


def _publish_post(base: StandardVersion, **overrides):
    data = {
        "number": base.number + 1,
        "title": "第2版",
        "effective_from": (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "notes": "按年度修订",
    }
    for p in base.parameters.all():
        data["p__" + p.code.replace(".", "__")] = p.value
    data.update(overrides)
    return data


def test_version_in_force_switches_exactly_at_the_second_versions_start(standard_v1):
    """SUP-3: a version is in force from its start until the next one starts."""
    start = timezone.now() + timedelta(days=5)
    v2 = standard_publish(number=2, title="v2", effective_from=start, parameters=_v2_params())
    assert standard_in_force(at=start - timedelta(microseconds=1)).version == standard_v1
    assert standard_in_force(at=start).version == v2
    assert standard_in_force(at=start)["handling.basic_minutes"] == 12
    assert standard_in_force().version == standard_v1


@pytest.mark.parametrize("delta", [timedelta(0), timedelta(days=-1)])
def test_version_starting_at_or_before_the_latest_is_rejected(standard_v1, delta):
    with pytest.raises(ServiceError) as exc:
        standard_publish(
            number=2, title="v2", effective_from=standard_v1.effective_from + delta, parameters=_v2_params()
        )
    assert exc.value.code == "standard_overlap"
    assert StandardVersion.objects.count() == 1


def test_compare_marks_changed_parameters(standard_v1):
    v2 = standard_publish(
        number=2, title="v2", effective_from=timezone.now() + timedelta(days=1), parameters=_v2_params()
    )
    rows = {r["code"]: r for r in standard_compare(left=standard_v1, right=v2)}
    assert rows["handling.basic_minutes"]["changed"] and rows["handling.basic_minutes"]["left"] == 15
    assert rows["handling.complex_minutes"]["right"] is None and rows["handling.complex_minutes"]["changed"]


def test_hq_publishes_a_copy_of_the_latest_with_edited_values(client, world):
    client.force_login(world["hq"])
    base = StandardVersion.objects.get(number=1)
    form_page = client.get(reverse("standard:publish"))
    assert form_page.context["form"].initial["number"] == 2
    data = _publish_post(base, **{"p__handling__basic_minutes": 12})
    response = client.post(reverse("standard:publish"), data)
    assert response.status_code == 302
    v2 = StandardVersion.objects.get(number=2)
    assert v2.published_by == world["hq"]
    assert v2.parameters.count() == base.parameters.count()
    assert StandardParameter.objects.get(version=v2, code="handling.basic_minutes").value == 12
    assert StandardParameter.objects.get(version=v2, code="handling.warn_share").value == 0.8
    assert StandardParameter.objects.get(version=v2, code="sla.calendar").value == "clock"
    # Compare page highlights the change.
    body = client.get(reverse("standard:compare"), {"left": 1, "right": 2}).content.decode()
    assert body.count('class="changed"') == 1


def test_overlapping_publication_shows_the_error_next_to_the_start_time(client, world):
    client.force_login(world["hq"])
    base = StandardVersion.objects.get(number=1)
    future = timezone.now() + timedelta(days=10)
    standard_publish(number=2, title="v2", effective_from=future, parameters=_v2_params())
    data = _publish_post(
        base,
        number=3,
        effective_from=timezone.localtime(future - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = client.post(reverse("standard:publish"), data)
    assert response.status_code == 200
    assert "晚于现行最新版本" in " ".join(response.context["form"].errors["effective_from"])
    assert response.context["form"]["title"].value() == "第2版"  # what was typed is kept
    assert StandardVersion.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "error_field"),
    [
        ("effective_from", "", "effective_from"),
        ("effective_from", "2020-01-01T00:00", "effective_from"),
        ("effective_from", "soon", "effective_from"),
        ("number", "1", "number"),
        ("number", "abc", "number"),
        ("title", "", "title"),
        ("p__handling__basic_minutes", "-3", "p__handling__basic_minutes"),
        ("p__handling__basic_minutes", "fifteen", "p__handling__basic_minutes"),
        ("p__handling__warn_share", "x", "p__handling__warn_share"),
    ],
)
def test_bad_publish_input_is_shown_next_to_the_field_and_nothing_saved(
    client, world, field, value, error_field
):
    client.force_login(world["hq"])
    data = _publish_post(StandardVersion.objects.get(number=1), **{field: value})
    response = client.post(reverse("standard:publish"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[error_field]
    assert (
        StandardVersion.objects.count() == 1
        and StandardParameter.objects.exclude(version__number=1).count() == 0
    )


def test_non_hq_cannot_publish_even_by_post(client, world):
    client.force_login(world["manager_a"])
    data = _publish_post(StandardVersion.objects.get(number=1))
    assert client.post(reverse("standard:publish"), data).status_code == 403
    assert StandardVersion.objects.count() == 1


def test_compare_with_unknown_or_bad_versions_says_so(client, world):
    client.force_login(world["clerk_a"])
    assert client.get(reverse("standard:compare"), {"left": 1, "right": 9}).context["error"]
    assert client.get(reverse("standard:compare"), {"left": "x", "right": 1}).context["error"]
    assert client.get(reverse("standard:detail", args=[9])).status_code == 404


# --- business guide ---------------------------------------------------------------------------------------------


def test_guide_shows_materials_steps_and_time_limit_from_the_standard(client, world):
    """BIZ-1.1 tell everything at once; BIZ-2.2 basic business within 15 minutes (v1)."""
    world["basic"].process_steps = ["核验身份", "系统办理"]
    world["basic"].guide_text = "一般次月生效"
    world["basic"].save()
    client.force_login(world["clerk_a"])
    body = client.get(reverse("catalog:guide", args=["PLAN"])).content.decode()
    for text in (
        "身份证原件",
        "必需",
        "身份证复印件可在厅内自助复印机免费打印",
        "核验身份",
        "15 分钟内办结",
        "一般次月生效",
    ):
        assert text in body
    complex_body = client.get(reverse("catalog:guide", args=["CONTRACT"])).content.decode()
    assert "30 分钟内办结" in complex_body


def test_guide_time_limit_follows_a_new_version_once_in_force(client, world, time_machine):
    start = timezone.now() + timedelta(days=3)
    standard_publish(number=2, title="v2", effective_from=start, parameters=_v2_params(12))
    client.force_login(world["clerk_a"])
    assert "15 分钟内办结" in client.get(reverse("catalog:guide", args=["PLAN"])).content.decode()
    time_machine.move_to(start + timedelta(minutes=1))
    client.force_login(world["clerk_a"])
    assert "12 分钟内办结" in client.get(reverse("catalog:guide", args=["PLAN"])).content.decode()


def test_printable_guide_has_a_qr_code_to_the_public_page(client, world, settings):
    settings.TINGWU_PUBLIC_BASE_URL = "https://hall.example.cn"
    client.force_login(world["clerk_a"])
    body = client.get(reverse("catalog:guide_print", args=["PLAN"])).content.decode()
    assert "<svg" in body and "https://hall.example.cn/catalog/guide/PLAN/public/" in body
    assert "catalog/print.css" in body


def test_unknown_or_inactive_business_guide_is_404(client, world):
    world["basic"].is_active = False
    world["basic"].save()
    client.force_login(world["clerk_a"])
    assert client.get(reverse("catalog:guide", args=["PLAN"])).status_code == 404
    assert client.get(reverse("catalog:guide_public", args=["NOPE"])).status_code == 404


def test_glossary_search_returns_a_fragment_for_htmx(client, people):
    client.force_login(people["clerk_a"])
    response = client.get(reverse("catalog:glossary"), {"q": "流量"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "本月没用完的流量会自动转到下个月" in body and "副卡" not in body and "<html" not in body
    full = client.get(reverse("catalog:glossary"), {"q": "x" * 500}).content.decode()
    assert "没有匹配的术语" in full
