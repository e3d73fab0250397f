"""Device tokens for the demo halls' kiosk and display. Raw values are derived and printed for local use only."""

from __future__ import annotations

import hashlib

from django.conf import settings

from integrations.models import ApiToken, TokenKind, hash_token


def demo_token_value(hall_code: str, kind: str) -> str:
    # Deterministic per installation (keyed by SECRET_KEY) so that `make run` can print working device URLs.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{hall_code}:{kind}".encode()).hexdigest()[:32]
    return f"tw_demo_{digest}"


def load(ctx: dict) -> None:
    tokens = {}
    for hall in ctx["halls"]:
        for kind in (TokenKind.KIOSK, TokenKind.DISPLAY, TokenKind.APP, TokenKind.WECOM):
            raw = demo_token_value(hall.code, kind)
            ApiToken.objects.get_or_create(
                token_hash=hash_token(raw),
                defaults={
                    "hall": hall,
                    "kind": kind,
                    "name": f"{hall.name} {TokenKind(kind).label}",
                    "prefix": raw[:10],
                },
            )
            tokens[(hall.code, kind)] = raw
    ctx["device_tokens"] = tokens
