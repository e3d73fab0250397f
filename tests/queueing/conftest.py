from __future__ import annotations

import pytest

from halls.models import CounterStatus
from tests import factories as f


@pytest.fixture
def floor(world):
    """Hall A with three open counters: 1 serves all (一窗通办), 2 basic only, 3 complex only."""
    hall = world["hall_a"]
    c1 = f.counter(hall, 1, serves_all=True)
    c2 = f.counter(hall, 2, serves_all=False, business_types=[world["basic"]])
    c3 = f.counter(hall, 3, serves_all=False, business_types=[world["complex"]])
    c9 = f.counter(hall, 9, serves_all=True, status=CounterStatus.PAUSED)
    return {**world, "hall": hall, "c1": c1, "c2": c2, "c3": c3, "c_paused": c9}


@pytest.fixture
def published(monkeypatch):
    """Records every event sent to floor.bus (after commit)."""
    events: list[tuple[int, str, dict]] = []
    from floor import bus

    monkeypatch.setattr(bus, "publish", lambda *, hall_id, kind, data: events.append((hall_id, kind, data)))
    return events


@pytest.fixture
def hall(world):
    """For the hot-path tests: hall A with counter 1 (一窗通办, N = 2), paused counter 9, a kiosk and a green-channel
    customer."""
    from privacy.services import customer_create
    from tests.queueing.asgi_client import PHONE, kiosk_headers

    hall = world["hall_a"]
    customer_create(hall=hall, name="钱多多", mobile=PHONE, green_channel_agreement="GC-1")
    token, kiosk = kiosk_headers(hall)
    return {
        **world,
        "c1": f.counter(hall, 1, serves_all=True),
        "paused": f.counter(hall, 9, status=CounterStatus.PAUSED),
        "token": token,
        "kiosk": kiosk,
    }
