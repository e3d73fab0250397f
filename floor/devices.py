"""Device sign-in for hall screens (display, kiosk): a hall-bound ApiToken, presented once, then a signed cookie.

A display is provisioned with ``/floor/display/<hall>/#token=…`` (printed by ``make run``): the token rides in the
URL fragment, which browsers never send, and ``floor/pair.js`` POSTs it to the pairing endpoint, which answers with
an HttpOnly signed cookie — the token never appears in a request URL, a proxy log, a Referer or history.
Scripts and benchmarks send the token in ``Authorization: Bearer`` or ``X-Device-Token`` instead.
"""

from __future__ import annotations

from django.core import signing

from integrations.models import ApiToken, TokenKind, token_authenticate

COOKIE_PREFIX = "tw_device_"
SALT = "floor.device"
MAX_AGE = 365 * 24 * 3600
QUEUEING_KIOSK_COOKIE = "tw_kiosk"  # a wall screen stays paired until its token is revoked


def cookie_name(kind: str) -> str:
    return f"{COOKIE_PREFIX}{kind}"


def header_token(request) -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.headers.get("X-Device-Token") or None


def device_from_request(request, *, kinds: set[str]) -> ApiToken | None:
    """The screen's token from a header or its pairing cookie; ``None`` if absent, revoked or of another kind."""
    raw = header_token(request)
    if raw:
        return token_authenticate(raw, kinds=kinds)
    if TokenKind.KIOSK in kinds and request.COOKIES.get(QUEUEING_KIOSK_COOKIE):
        # The kiosk page (queueing) pairs with its own cookie; its notices fragment polls us with it.
        token = token_authenticate(request.COOKIES.get(QUEUEING_KIOSK_COOKIE), kinds={TokenKind.KIOSK})
        if token is not None:
            return token
    for kind in kinds:
        value = request.COOKIES.get(cookie_name(kind))
        if not value:
            continue
        try:
            data = signing.loads(value, salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:
            continue
        token = (
            ApiToken.objects.select_related("hall")
            .filter(pk=data.get("t"), kind=kind, revoked_at__isnull=True)
            .first()
        )
        # The hash fragment ties the cookie to this token value: re-issuing a token unpairs old screens.
        if token is not None and token.token_hash[:16] == data.get("h"):
            return token
    return None


def pair(response, token: ApiToken, *, secure: bool = False) -> None:
    value = signing.dumps({"t": token.pk, "h": token.token_hash[:16]}, salt=SALT)
    response.set_cookie(
        cookie_name(token.kind),
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        path="/",
        secure=secure,
    )


SCREEN_KINDS = {TokenKind.DISPLAY, TokenKind.KIOSK}
