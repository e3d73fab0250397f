"""The one web edge (issue 9 §4): access errors raised anywhere in a view become 404 (not visible: no existence
leak, SEC-1) or 403 (no right) — JSON ``{code, message, message_en}`` under /api/, the error page otherwise."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lib.errors import Conflict, Forbidden, NotFound
from staff.web import AccessErrorMiddleware

pytestmark = pytest.mark.django_db


def _answer(path: str, exc: Exception):
    middleware = AccessErrorMiddleware(lambda request: None)
    return middleware.process_exception(RequestFactory().get(path), exc)


def test_a_record_the_user_cannot_see_is_the_404_page():
    response = _answer("/queue/console/7/", NotFound("not_found", _("记录不存在或无权查看")))
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


def test_a_missing_right_is_the_403_page():
    response = _answer("/sla/board/", Forbidden("forbidden", _("您没有执行此操作的权限")))
    assert response.status_code == 403
    assert "text/html" in response["Content-Type"]


def test_under_the_api_the_answer_is_json_with_the_stable_code_and_both_languages():
    response = _answer("/api/v1/sla/clocks/1/pause", Forbidden("sla_forbidden", _("您没有执行此操作的权限")))
    assert response.status_code == 403
    body = json.loads(response.content)
    assert body == {
        "code": "sla_forbidden",
        "message": "您没有执行此操作的权限",
        "message_en": body["message_en"],
    }
    assert body["message_en"] and body["message_en"] != body["message"]


def test_djangos_own_access_errors_under_the_api_are_json_too():
    forbidden = _answer("/api/v1/anything", PermissionDenied())
    missing = _answer("/api/v1/anything", Http404())
    assert (forbidden.status_code, json.loads(forbidden.content)["code"]) == (403, "forbidden")
    assert (missing.status_code, json.loads(missing.content)["code"]) == (404, "not_found")


def test_djangos_own_access_errors_on_pages_are_left_to_django():
    assert _answer("/floor/", PermissionDenied()) is None
    assert _answer("/floor/", Http404()) is None


def test_other_errors_are_not_the_edges_business():
    assert _answer("/floor/", Conflict("busy", _("窗口状态已变化,请刷新后重试"))) is None
    assert _answer("/api/v1/x", ValueError("boom")) is None


def test_a_clerk_without_the_board_right_gets_the_403_page(client, world):
    """End to end through the middleware chain: the SLA board raises staff.access's Forbidden (a clerk has no
    ``sla.view``) and no decorator catches it: the edge answers 403 with the error page."""
    client.force_login(world["clerk_a"])
    response = client.get(reverse("sla:board"))
    assert response.status_code == 403
    assert "text/html" in response["Content-Type"]


def test_a_clerk_at_another_halls_counter_gets_404(client, world):
    """SEC-1: another hall's counter is invisible, whichever way the view refuses it."""
    from tests import factories as f

    other = f.counter(world["hall_b"], 9)
    client.force_login(world["clerk_a"])
    assert client.get(reverse("queueing:console", args=[other.pk])).status_code == 404
