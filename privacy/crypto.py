"""Authenticated encryption (AES-256-GCM) of personal information and a keyed blind index (BIZ-3).

Ciphertext format: ``enc1:<kid>:<base64url(nonce | ciphertext+tag)>``. The key ring comes from
``TINGWU_ENCRYPTION_KEYS = "kid:base64key,kid:base64key"``; the first key encrypts, every key decrypts, so a
rotation is: put the new key first, run ``tingwu rotate_keys``, then drop the old key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "enc1"


class DecryptionError(Exception):
    pass


@lru_cache(maxsize=8)
def _parse_ring(raw: str) -> tuple[str, dict[str, AESGCM]]:
    ring: dict[str, AESGCM] = {}
    primary = ""
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        kid, _, b64 = item.partition(":")
        key = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
        if len(key) != 32:
            raise ValueError(f"encryption key {kid!r} must be 32 bytes")
        ring[kid] = AESGCM(key)
        primary = primary or kid
    if not primary:
        raise ValueError("TINGWU_ENCRYPTION_KEYS is empty")
    return primary, ring


def key_ring() -> tuple[str, dict[str, AESGCM]]:
    return _parse_ring(settings.TINGWU_ENCRYPTION_KEYS)


def encrypt(plaintext: str, *, aad: bytes = b"tingwu") -> str:
    kid, ring = key_ring()
    nonce = os.urandom(12)
    ct = ring[kid].encrypt(nonce, plaintext.encode("utf-8"), aad)
    return f"{PREFIX}:{kid}:{base64.urlsafe_b64encode(nonce + ct).decode()}"


def decrypt(token: str, *, aad: bytes = b"tingwu") -> str:
    try:
        prefix, kid, b64 = token.split(":", 2)
        if prefix != PREFIX:
            raise ValueError("prefix")
        _, ring = key_ring()
        blob = base64.urlsafe_b64decode(b64)
        return ring[kid].decrypt(blob[:12], blob[12:], aad).decode("utf-8")
    except Exception as exc:  # never echo the token: it identifies a person's record
        raise DecryptionError("cannot decrypt value") from exc


def key_id_of(token: str) -> str | None:
    parts = token.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None


def is_encrypted(value: str | None) -> bool:
    return bool(value) and value.startswith(PREFIX + ":")


def normalise(kind: str, value: str) -> str:
    value = re.sub(r"[\s-]", "", value or "")
    if kind == "phone":
        value = value.removeprefix("+86")
    return value.upper()


def blind_index(kind: str, value: str) -> str:
    """HMAC-SHA256 over the normalised value, with its own key, so equal values can be found, not read."""
    key = settings.TINGWU_BLIND_INDEX_KEY.encode()
    msg = f"{kind}:{normalise(kind, value)}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:40]
