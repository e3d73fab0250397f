"""The display's Server-Sent Events stream (ENV-2.2): replay after a reconnect, auth, both server kinds."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from django.test import AsyncClient
from django.urls import reverse

from tests.floor.conftest import REDIS_URL
from tests.floor.util import off_loop

pytestmark = pytest.mark.django_db(transaction=True)


def _frames(chunks) -> list[dict]:
    """Parse SSE frames (``id:``/``data:``) out of streamed chunks; comments and ``retry:`` are skipped."""
    out = []
    for chunk in chunks:
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        for block in text.split("\n\n"):
            lines = dict(
                line.split(": ", 1)
                for line in block.splitlines()
                if ": " in line and not line.startswith(":")
            )
            if "data" in lines:
                out.append({"id": int(lines["id"]), **json.loads(lines["data"])})
    return out


def _take(response, n: int) -> list:
    it = iter(response.streaming_content)
    chunks = [next(it) for _ in range(n)]
    response.close()
    return chunks


@pytest.fixture(autouse=True)
def quick_heartbeat(settings):
    settings.FLOOR_SSE_HEARTBEAT = 0.2


def _url(world):
    return reverse("floor:events", args=[world["hall_a"].pk])


def test_reconnect_with_last_event_id_replays_missed_calls_in_order(client, world, fresh_bus, display_token):
    """ENV-2.2: a display that lost its connection gets every call it missed, nothing twice."""
    hall = world["hall_a"]
    first = fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": "A001", "counter": 3})
    fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": "A002", "counter": 4})
    fresh_bus.publish(
        hall_id=hall.pk, kind="ticket.recalled", data={"number": "A001", "counter": 3, "recall": True}
    )
    response = off_loop(
        client.get,
        _url(world),
        headers={"Authorization": f"Bearer {display_token}", "Last-Event-ID": str(first.id)},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    chunks = _take(response, 3)
    assert chunks[0].startswith(b"retry: ")
    frames = _frames(chunks)
    assert [(f["kind"], f["data"]["number"]) for f in frames] == [
        ("ticket.called", "A002"),
        ("ticket.recalled", "A001"),
    ]
    assert [f["id"] for f in frames] == [first.id + 1, first.id + 2]


def test_query_parameter_last_event_id_works_when_no_header(client, world, fresh_bus, display_token):
    hall = world["hall_a"]
    first = fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": "A001", "counter": 1})
    fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": "A002", "counter": 1})
    response = off_loop(
        client.get, _url(world) + f"?last_event_id={first.id}", headers={"X-Device-Token": display_token}
    )
    frames = _frames(_take(response, 2))
    assert [f["data"]["number"] for f in frames] == ["A002"]


def test_a_fresh_screen_starts_from_now_and_receives_live_events(client, world, fresh_bus, display_token):
    hall = world["hall_a"]
    fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": "A001", "counter": 1})
    response = off_loop(client.get, _url(world), headers={"X-Device-Token": display_token})
    it = iter(response.streaming_content)
    assert next(it).startswith(b"retry:")
    threading.Timer(
        0.05,
        lambda: fresh_bus.publish(
            hall_id=hall.pk, kind="ticket.called", data={"number": "A002", "counter": 2}
        ),
    ).start()
    got = []
    for _ in range(20):  # heartbeats may come first
        chunk = next(it)
        got += _frames([chunk])
        if got:
            break
    response.close()
    assert [f["data"]["number"] for f in got] == ["A002"]


def test_heartbeat_comment_is_sent_while_idle(client, world, fresh_bus, display_token):
    response = off_loop(client.get, _url(world), headers={"X-Device-Token": display_token})
    chunks = _take(response, 2)
    assert chunks[1] == b": keep-alive\n\n"


def test_too_old_last_event_id_gets_a_resync_event(client, world, fresh_bus, display_token):
    hall = world["hall_a"]
    first = fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": "A000", "counter": 1})
    for n in range(60):  # buffer holds 50
        fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": f"A{n:03d}", "counter": 1})
    response = off_loop(
        client.get, _url(world), headers={"X-Device-Token": display_token, "Last-Event-ID": str(first.id)}
    )
    frames = _frames(_take(response, 2))
    assert frames[0]["kind"] == "resync" and frames[0]["id"] == fresh_bus.last_id(hall.pk)


def test_token_of_another_hall_is_refused_with_a_reason(client, world, fresh_bus, display_token_b):
    response = off_loop(client.get, _url(world), headers={"X-Device-Token": display_token_b})
    assert response.status_code == 403
    assert response.json()["code"] == "device_wrong_hall"


def test_no_credentials_is_401_and_garbage_token_too(client, world, fresh_bus):
    assert off_loop(client.get, _url(world)).status_code == 401
    response = off_loop(client.get, _url(world), headers={"X-Device-Token": "tw_nope"})
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_bad_last_event_id_is_400(client, world, fresh_bus, display_token):
    response = off_loop(
        client.get, _url(world), headers={"X-Device-Token": display_token, "Last-Event-ID": "abc"}
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_last_event_id"


def test_staff_of_the_hall_may_watch_but_other_hall_staff_get_404(client, world, fresh_bus):
    client.force_login(world["clerk_b"])
    assert off_loop(client.get, _url(world)).status_code == 404
    client.force_login(world["supervisor_a"])
    response = off_loop(client.get, _url(world))
    assert response.status_code == 200
    response.close()


def test_asgi_stream_replays_and_follows_live_events(world, fresh_bus, display_token):
    """The production path (ASGI, async generator): replay after Last-Event-ID, then a live event."""
    hall = world["hall_a"]
    first = fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": "A001", "counter": 3})
    fresh_bus.publish(hall_id=hall.pk, kind="ticket.called", data={"number": "A002", "counter": 5})

    async def scenario():
        client = AsyncClient()
        response = await client.get(
            _url(world), headers={"X-Device-Token": display_token, "Last-Event-ID": str(first.id)}
        )
        assert response.status_code == 200
        it = response.streaming_content.__aiter__()
        chunks = [await it.__anext__(), await it.__anext__()]
        loop = asyncio.get_running_loop()
        loop.call_later(
            0.05,
            lambda: threading.Thread(
                target=fresh_bus.publish,
                kwargs={
                    "hall_id": hall.pk,
                    "kind": "ticket.recalled",
                    "data": {"number": "A002", "counter": 5},
                },
            ).start(),
        )
        for _ in range(20):
            chunk = await it.__anext__()
            chunks.append(chunk)
            if _frames([chunk]):
                break
        await it.aclose()
        return chunks

    frames = _frames(off_loop(asyncio.run, scenario()))
    assert [(f["kind"], f["data"]["number"]) for f in frames] == [
        ("ticket.called", "A002"),
        ("ticket.recalled", "A002"),
    ]
    assert fresh_bus.hub.waiter_count() == 0


_REMOTE_PUBLISHER = """
import sys, time
sys.path.insert(0, {root!r})
from django.conf import settings
settings.configure()
from floor.bus import RedisBackend
b = RedisBackend({url!r}, prefix={prefix!r})
time.sleep(0.5)
b.publish(hall_id={hall}, kind="ticket.called", data={{"number": "A007", "counter": 2}})
"""


def test_asgi_stream_on_redis_receives_a_call_published_by_another_process(
    world, display_token, redis_backend
):
    """Several web processes: the call is committed in one process and the display's stream lives in another."""
    import sys

    from django.conf import settings as dj_settings

    from floor import bus

    hall = world["hall_a"]
    previous = bus.set_backend(redis_backend)
    try:

        async def scenario():
            client = AsyncClient()
            response = await client.get(_url(world), headers={"X-Device-Token": display_token})
            it = response.streaming_content.__aiter__()
            assert (await it.__anext__()).startswith(b"retry:")
            code = _REMOTE_PUBLISHER.format(
                root=str(dj_settings.BASE_DIR), url=REDIS_URL, prefix=redis_backend.prefix, hall=hall.pk
            )
            proc = await asyncio.create_subprocess_exec(sys.executable, "-c", code)
            frames = []
            for _ in range(100):
                frames += _frames([await it.__anext__()])
                if frames:
                    break
            await it.aclose()
            assert await proc.wait() == 0
            return frames

        frames = off_loop(asyncio.run, scenario())
    finally:
        bus.set_backend(previous)
    assert [(f["kind"], f["data"]["number"], f["data"]["counter"]) for f in frames] == [
        ("ticket.called", "A007", 2)
    ]
