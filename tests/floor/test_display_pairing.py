"""Pairing a calling display without a token in any URL (ENV-2.2; conventions: no secrets in URLs or logs).

The link is ``/floor/display/<hall>/#token=…``: the fragment never reaches the server; the pairing page's static JS
POSTs it (with the CSRF token) and the answer sets the signed cookie.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from floor import devices
from integrations.models import TokenKind

pytestmark = pytest.mark.django_db


def _urls(world):
    hall = world["hall_a"].pk
    return reverse("floor:display", args=[hall]), reverse("floor:display_pair", args=[hall])


def test_a_token_in_the_query_string_no_longer_pairs_and_points_to_the_pairing_page(
    client, world, display_token
):
    display, pair = _urls(world)
    response = client.get(display + f"?token={display_token}")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-code="token_in_url"' in body and pair in body
    assert devices.cookie_name(TokenKind.DISPLAY) not in response.cookies
    assert client.get(display).status_code == 401  # still unpaired


def test_the_pairing_post_sets_the_signed_cookie_and_redirects_to_the_display(world, display_token):
    client = Client(enforce_csrf_checks=True)
    display, pair = _urls(world)
    form = client.get(pair)
    assert form.status_code == 200 and "floor/pair.js" in form.content.decode()
    csrf = form.cookies["csrftoken"].value
    response = client.post(pair, {"token": display_token, "csrfmiddlewaretoken": csrf})
    assert response.status_code == 302 and response["Location"] == display
    cookie = response.cookies[devices.cookie_name(TokenKind.DISPLAY)]
    assert cookie["httponly"] and display_token not in cookie.value  # signed reference, not the token
    page = client.get(display)
    assert page.status_code == 200 and "display-config" in page.content.decode()


def test_the_pairing_post_needs_the_csrf_token(world, display_token):
    client = Client(enforce_csrf_checks=True)
    _, pair = _urls(world)
    client.get(pair)
    assert client.post(pair, {"token": display_token}).status_code == 403


def test_another_halls_token_is_refused_with_a_stable_code_and_the_input_kept_out(
    client, world, display_token_b
):
    display, pair = _urls(world)
    response = client.post(pair, {"token": display_token_b})
    assert response.status_code == 403
    body = response.content.decode()
    assert 'data-code="device_wrong_hall"' in body
    assert display_token_b not in body  # a secret is not echoed back
    assert devices.cookie_name(TokenKind.DISPLAY) not in response.cookies
    as_json = client.post(pair, {"token": display_token_b}, headers={"Accept": "application/json"})
    assert as_json.status_code == 403 and as_json.json()["code"] == "device_wrong_hall"


@pytest.mark.parametrize(
    ("raw", "code"), [("", "device_token_required"), ("tw_nonsense", "device_token_invalid")]
)
def test_a_missing_or_unknown_token_is_a_400_with_a_stable_code(client, world, raw, code):
    _, pair = _urls(world)
    response = client.post(pair, {"token": raw})
    assert response.status_code == 400 and f'data-code="{code}"' in response.content.decode()
    assert devices.cookie_name(TokenKind.DISPLAY) not in response.cookies


def test_a_kiosk_token_does_not_pair_a_display(client, world, kiosk_token):
    _, pair = _urls(world)
    assert client.post(pair, {"token": kiosk_token}).status_code == 400


def test_the_display_no_longer_accepts_a_posted_token(client, world, display_token):
    display, _ = _urls(world)
    response = client.post(display, {"token": display_token})
    assert response.status_code == 405
    assert devices.cookie_name(TokenKind.DISPLAY) not in response.cookies
