"""The realtime bus (ENV-2.2): both backends, replay after a Last-Event-ID, Redis fan-out across processes."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from datetime import date

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy

from floor.bus import InProcessBackend, RedisBackend
from tests.floor.conftest import REDIS_URL
from tests.floor.util import off_loop


@pytest.fixture(params=["inprocess", "redis"])
def backend(request):
    if request.param == "inprocess":
        return InProcessBackend(maxlen=50)
    return request.getfixturevalue("redis_backend")


def test_ids_grow_by_one_per_hall_and_halls_are_separate(backend):
    a1 = backend.publish(hall_id=1, kind="ticket.called", data={"number": "A001"})
    a2 = backend.publish(hall_id=1, kind="ticket.called", data={"number": "A002"})
    b1 = backend.publish(hall_id=2, kind="ticket.called", data={"number": "B001"})
    assert a2.id == a1.id + 1
    assert backend.last_id(1) == a2.id
    assert backend.last_id(2) == b1.id
    events, lost = backend.replay(2, b1.id - 1)
    assert [e.data["number"] for e in events] == ["B001"] and not lost


@pytest.mark.parametrize(
    "data",
    [
        {"number": "A001", "counter": 3, "priority": True, "wait": 1.5, "label": None},
        {"day": date(2026, 11, 25), "nested": {"a": (1, 2)}},
        {"label": gettext_lazy("营业厅")},
        {"ratio": float("nan")},
    ],
    ids=["json-native", "date-and-tuple", "lazy-string", "nan"],
)
def test_every_subscriber_gets_jsons_view_of_the_data_on_both_backends(backend, data):
    """A screen on the same process sees exactly what a screen behind Redis sees: the data after a JSON round trip
    (the in-process backend skips the trip only where it changes nothing), and the same SSE line."""
    event = backend.publish(hall_id=7, kind="ticket.called", data=data)
    expected = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    got = event.data
    assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)
    assert all(type(v) is type(expected[k]) for k, v in got.items())
    assert got is not data
    assert json.loads(event.payload())["data"] == json.loads(json.dumps(expected))


def test_replay_after_last_event_id_returns_only_newer_events_in_order(backend):
    first = backend.publish(hall_id=7, kind="ticket.called", data={"number": "A001"})
    for n in range(2, 6):
        backend.publish(hall_id=7, kind="ticket.called", data={"number": f"A00{n}"})
    events, lost = backend.replay(7, first.id + 1)
    assert not lost
    assert [e.data["number"] for e in events] == ["A003", "A004", "A005"]
    assert [e.id for e in events] == [first.id + 2, first.id + 3, first.id + 4]


def test_replay_beyond_the_buffer_asks_the_screen_to_resync(backend):
    first = backend.publish(hall_id=3, kind="ticket.called", data={"n": 0})
    for n in range(1, 400):  # far more than maxlen=50 (Redis trims approximately)
        backend.publish(hall_id=3, kind="ticket.called", data={"n": n})
    events, lost = backend.replay(3, first.id)
    assert lost
    newest, lost_now = backend.replay(3, backend.last_id(3) - 1)
    assert not lost_now and newest[-1].data == {"n": 399}


def test_an_id_from_before_a_restart_asks_the_screen_to_resync(backend):
    backend.publish(hall_id=4, kind="x", data={})
    events, lost = backend.replay(4, backend.last_id(4) + 1000)
    assert lost and events == []


def test_memory_stays_bounded_after_many_events(backend):
    """A display runs 8 hours: the per-hall buffer never grows past its cap."""
    for n in range(300):
        backend.publish(hall_id=5, kind="ticket.called", data={"n": n})
    backend.ensure_listener() if isinstance(backend, RedisBackend) else None
    time.sleep(0.2)
    assert len(backend.hub._channels[5].buffer) <= 50 if 5 in backend.hub._channels else True
    assert backend.hub.waiter_count() == 0


def test_async_waiter_is_woken_by_a_publish_from_another_thread(backend):
    async def scenario():
        if isinstance(backend, RedisBackend):
            await asyncio.to_thread(backend.ensure_listener)
        start = backend.last_id(9)
        timer = threading.Timer(0.1, lambda: backend.publish(hall_id=9, kind="ticket.called", data={"n": 1}))
        timer.start()
        woke = await backend.wait(9, start, timeout=5)
        events, lost = backend.replay(9, start)
        return woke, events, lost

    woke, events, lost = off_loop(asyncio.run, scenario())
    assert woke and not lost and events[0].data == {"n": 1}
    assert backend.hub.waiter_count() == 0  # nothing left behind


def test_async_wait_times_out_without_leaking_a_waiter(backend):
    async def scenario():
        return await backend.wait(11, backend.last_id(11), timeout=0.05)

    assert off_loop(asyncio.run, scenario()) is False
    assert backend.hub.waiter_count() == 0


def test_sync_waiter_is_woken(backend):
    start = backend.last_id(12)
    threading.Timer(0.1, lambda: backend.publish(hall_id=12, kind="k", data={})).start()
    assert backend.wait_sync(12, start, timeout=5)


def test_an_event_published_before_the_listener_subscribed_still_wakes_the_waiter(backend):
    """A waiter that starts the Redis listener after the event was published (pub/sub keeps nothing): it learns of
    the event at once instead of waiting out its timeout (seen in CI under load: the 0.1 s publisher above won)."""
    start = backend.last_id(14)
    backend.publish(hall_id=14, kind="k", data={})
    t0 = time.monotonic()
    assert backend.wait_sync(14, start, timeout=3)
    assert time.monotonic() - t0 < 2.5


def test_concurrent_publishers_get_distinct_contiguous_ids(backend):
    ids: list[int] = []
    lock = threading.Lock()

    def worker():
        for _ in range(25):
            e = backend.publish(hall_id=13, kind="k", data={})
            with lock:
                ids.append(e.id)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 200
    assert max(ids) - min(ids) == 199


def test_publish_never_raises_when_the_backend_fails():
    from floor import bus

    class Broken:
        def publish(self, **kwargs):
            raise ConnectionError("redis down")

    previous = bus.set_backend(Broken())
    try:
        bus.publish(hall_id=1, kind="ticket.called", data={})  # logged, not raised
    finally:
        bus.set_backend(previous)


_PUBLISHER = """
import sys, time
sys.path.insert(0, {root!r})
import django
from django.conf import settings
settings.configure()
from floor.bus import RedisBackend
b = RedisBackend({url!r}, prefix={prefix!r})
time.sleep(0.3)
for n in range(3):
    b.publish(hall_id=21, kind="ticket.called", data={{"number": "A00%d" % (n + 1), "counter": 3}})
print("published")
"""


def test_redis_fans_out_events_published_by_another_process(redis_backend):
    """Two OS processes: a subprocess publishes, this process's listener receives (several web workers)."""
    from django.conf import settings

    redis_backend.ensure_listener()
    start = redis_backend.last_id(21)
    code = _PUBLISHER.format(root=str(settings.BASE_DIR), url=REDIS_URL, prefix=redis_backend.prefix)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    received = []
    deadline = time.monotonic() + 15
    cursor = start
    while len(received) < 3 and time.monotonic() < deadline:
        if redis_backend.wait_sync(21, cursor, timeout=1):
            got = redis_backend.local_since(21, cursor) or []
            received.extend(got)
            cursor = got[-1].id if got else cursor
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err.decode()
    assert [e.data["number"] for e in received] == ["A001", "A002", "A003"]
    assert [e.id for e in received] == [start + 1, start + 2, start + 3]
