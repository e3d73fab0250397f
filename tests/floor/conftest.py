from __future__ import annotations

import uuid

import pytest

from floor import bus
from integrations.models import TokenKind, token_create


@pytest.fixture
def fresh_bus():
    """Each test gets its own in-process bus (ids and buffers do not leak between tests)."""
    backend = bus.InProcessBackend(maxlen=50)
    previous = bus.set_backend(backend)
    yield backend
    bus.set_backend(previous)


@pytest.fixture
def display_token(world):
    _, raw = token_create(hall=world["hall_a"], kind=TokenKind.DISPLAY, name="屏A")
    return raw


@pytest.fixture
def display_token_b(world):
    _, raw = token_create(hall=world["hall_b"], kind=TokenKind.DISPLAY, name="屏B")
    return raw


@pytest.fixture
def kiosk_token(world):
    _, raw = token_create(hall=world["hall_a"], kind=TokenKind.KIOSK, name="取号机A")
    return raw


REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def redis_backend():
    if not _redis_available():
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"tingwu-test:{uuid.uuid4().hex[:12]}"
    backend = bus.RedisBackend(REDIS_URL, prefix=prefix, maxlen=50)
    yield backend
    backend.close()
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
