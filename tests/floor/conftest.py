from __future__ import annotations

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
