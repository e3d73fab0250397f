"""Realtime event bus for hall screens (display, kiosk, boards).

Contract (stable): ``publish(hall_id=..., kind=..., data=...)`` is called by domain services inside
``transaction.on_commit`` and returns immediately; subscribers (SSE views) receive events per hall with a
monotonically increasing id, and can replay events after a Last-Event-ID.

Two backends behind one interface:

* ``InProcessBackend`` (embedded default): one process, a bounded ring buffer per hall, waiters woken across threads.
* ``RedisBackend`` (when ``settings.REDIS_URL`` is set): ids from a per-hall ``INCR``, a capped Redis stream for
  replay, and pub/sub for fan-out; each web process runs ONE listener thread that feeds its local ``Hub``, so 200
  connected screens cost one Redis connection, not 200.

Ids are contiguous per hall (each event is the previous + 1), which lets a subscriber detect a hole: when the
events it asks for are no longer buffered it gets a ``resync`` event and reloads its full state instead of
silently missing a call.

Event kinds the display understands (publishers, e.g. ``queueing``): ``ticket.called`` / ``ticket.recalled``
(``number``, ``counter`` or ``counter_number``, optional ``recall``, ``business``, ``category``), any other
``ticket.*`` / ``queue.*`` / ``counter.*`` kind (the screen refreshes its waiting counts), and the floor's own
``announcement.changed``, ``emergency.changed``, ``display.test``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

logger = logging.getLogger(__name__)

DEFAULT_BUFFER = 500  # events kept per hall for replay: minutes of a busy hall, a few KB each


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    hall_id: int
    kind: str
    data: dict
    at: float  # unix seconds, when published
    _payload: str = field(default="", compare=False, repr=False)

    def payload(self) -> str:
        """The JSON sent to screens (the SSE ``data:`` line): serialised once, on first use, so that 200 screens
        receiving the same event share the string and a hall with no screen open pays nothing."""
        if not self._payload:  # two threads may both build it: the same string, no harm
            body = {"id": self.id, "kind": self.kind, "data": self.data, "at": self.at}
            object.__setattr__(self, "_payload", json.dumps(body, ensure_ascii=False, separators=(",", ":")))
        return self._payload


def _encode(kind: str, data: dict, at: float) -> str:
    return json.dumps({"kind": kind, "data": data, "at": at}, cls=DjangoJSONEncoder, ensure_ascii=False)


_NATIVE = (str, int, float, bool, type(None))


def _json_native(data: dict) -> bool:
    """True when JSON would give ``data`` back unchanged: string keys, scalar values of JSON's types (exact types:
    a str subclass such as a lazy translation, or a float that is not finite, takes the round trip)."""
    for key, value in data.items():
        if type(key) is not str or type(value) not in _NATIVE:
            return False
        if type(value) is float and (value != value or value in (float("inf"), float("-inf"))):
            return False
    return True


def _decode(event_id: int, hall_id: int, raw: str | bytes) -> Event:
    body = json.loads(raw)
    return Event(id=event_id, hall_id=hall_id, kind=body["kind"], data=body["data"], at=body["at"])


@dataclass(slots=True)
class _Channel:
    buffer: deque
    last_id: int = 0
    first_id: int = 0  # first id this process saw for the hall (0 = none yet)
    waiters: set = field(default_factory=set)  # {(loop, future)} of async subscribers


def _wake(fut: asyncio.Future) -> None:
    if not fut.done():
        fut.set_result(True)


class Hub:
    """Process-local ring buffers and waiters. Thread-safe: publishers run in request threads, subscribers in
    the ASGI event loop (async) or in WSGI threads (sync)."""

    def __init__(self, maxlen: int = DEFAULT_BUFFER):
        self.maxlen = maxlen
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._channels: dict[int, _Channel] = {}

    def _channel(self, hall_id: int) -> _Channel:
        ch = self._channels.get(hall_id)
        if ch is None:
            ch = self._channels[hall_id] = _Channel(buffer=deque(maxlen=self.maxlen))
        return ch

    def next_id(self, hall_id: int) -> int:
        """Only for the in-process backend. The first id of a hall is the clock in ms, so that ids keep growing
        across a restart (a screen holding an old Last-Event-ID then gets a resync, not a silent gap)."""
        ch = self._channel(hall_id)
        return ch.last_id + 1 if ch.last_id else int(time.time() * 1000)

    def _append_locked(self, event: Event) -> set:
        ch = self._channel(event.hall_id)
        if ch.buffer and event.id <= ch.buffer[-1].id:
            return set()  # duplicate (replayed and delivered): ids only grow
        if ch.buffer and event.id != ch.buffer[-1].id + 1:
            ch.buffer.clear()  # a hole (missed pub/sub message): older ids must come from the backend
        ch.buffer.append(event)
        ch.first_id = ch.first_id or event.id
        ch.last_id = max(ch.last_id, event.id)
        waiters, ch.waiters = ch.waiters, set()
        self._cond.notify_all()
        return waiters

    @staticmethod
    def _wake_all(waiters: set) -> None:
        for loop, fut in waiters:
            try:
                loop.call_soon_threadsafe(_wake, fut)
            except RuntimeError:  # that subscriber's loop is gone
                pass

    def deliver(self, event: Event) -> None:
        with self._lock:
            waiters = self._append_locked(event)
        self._wake_all(waiters)

    def publish_local(self, hall_id: int, kind: str, data: dict) -> Event:
        # Subscribers get exactly what a Redis subscriber would get: JSON's view of the data. Flat data of JSON's own
        # types (what every queue event carries) is that view already; anything else takes the round trip.
        at = time.time()
        if _json_native(data):
            body = {"kind": kind, "data": dict(data), "at": at}
        else:
            body = json.loads(_encode(kind, data, at))
        with self._lock:
            event = Event(
                id=self.next_id(hall_id), hall_id=hall_id, kind=body["kind"], data=body["data"], at=at
            )
            waiters = self._append_locked(event)
        self._wake_all(waiters)
        return event

    def last_id(self, hall_id: int) -> int:
        with self._lock:
            ch = self._channels.get(hall_id)
            return ch.last_id if ch else 0

    def since(self, hall_id: int, after_id: int) -> list[Event] | None:
        """Buffered events after ``after_id``; ``None`` when the buffer does not reach back that far."""
        with self._lock:
            ch = self._channels.get(hall_id)
            if ch is None:
                return [] if after_id == 0 else None
            if not ch.buffer:
                return [] if after_id >= ch.last_id else None
            if after_id < ch.buffer[0].id - 1:
                # 0 means "from the start of this stream": fine while the first event is still buffered.
                if not (after_id == 0 and ch.buffer[0].id == ch.first_id):
                    return None
            newer = []
            for e in reversed(ch.buffer):  # usually one or two events: do not scan the whole ring
                if e.id <= after_id:
                    break
                newer.append(e)
            newer.reverse()
            return newer

    def reset(self) -> None:
        """Forget buffered events (after a pub/sub reconnect some may be missing); waiters stay."""
        with self._lock:
            for ch in self._channels.values():
                ch.buffer.clear()

    async def wait(self, hall_id: int, after_id: int, timeout: float) -> bool:
        """Wait until an event newer than ``after_id`` exists; False on timeout. Holds no thread."""
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        key = (loop, fut)
        with self._lock:
            ch = self._channel(hall_id)
            if ch.last_id > after_id:
                return True
            ch.waiters.add(key)
        try:
            await asyncio.wait_for(fut, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with self._lock:
                ch.waiters.discard(key)

    def wait_sync(self, hall_id: int, after_id: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._channel(hall_id).last_id <= after_id:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def waiter_count(self) -> int:
        with self._lock:
            return sum(len(ch.waiters) for ch in self._channels.values())


class InProcessBackend:
    """Embedded default: one process shares events between its threads and its event loop."""

    name = "inprocess"

    def __init__(self, maxlen: int = DEFAULT_BUFFER):
        self.hub = Hub(maxlen)

    def publish(self, *, hall_id: int, kind: str, data: dict) -> Event:
        return self.hub.publish_local(hall_id, kind, data)

    def last_id(self, hall_id: int) -> int:
        return self.hub.last_id(hall_id)

    def local_since(self, hall_id: int, after_id: int) -> list[Event] | None:
        return self.hub.since(hall_id, after_id)

    def replay(self, hall_id: int, after_id: int) -> tuple[list[Event], bool]:
        """Events after ``after_id`` and whether some were lost (the subscriber must resync)."""
        found = self.hub.since(hall_id, after_id)
        if found is None:
            return [], True
        if after_id > self.hub.last_id(hall_id):
            return [], True  # an id from before a restart
        return found, False

    async def wait(self, hall_id: int, after_id: int, timeout: float) -> bool:
        return await self.hub.wait(hall_id, after_id, timeout)

    def wait_sync(self, hall_id: int, after_id: int, timeout: float) -> bool:
        return self.hub.wait_sync(hall_id, after_id, timeout)

    def close(self) -> None:
        return None


# INCR, append to the capped stream and publish in one atomic step, so ids reach the stream and the
# subscribers in order even with several web processes publishing at once.
_PUBLISH_LUA = """
local id = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], id .. '-0', 'p', ARGV[1])
redis.call('PUBLISH', KEYS[3], id .. ' ' .. ARGV[1])
return id
"""


class RedisBackend:
    """Several web processes share events through Redis; each process has one listener thread feeding a Hub."""

    name = "redis"

    def __init__(self, url: str, *, prefix: str = "tingwu:floor", maxlen: int = DEFAULT_BUFFER):
        import redis

        self.url = url
        self.prefix = prefix
        self.maxlen = maxlen
        self.hub = Hub(maxlen)
        self.client = redis.Redis.from_url(url, socket_timeout=5, health_check_interval=30)
        self._script = self.client.register_script(_PUBLISH_LUA)
        self._listener: threading.Thread | None = None
        self._listener_pid: int | None = None
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._start_lock = threading.Lock()

    def _key(self, what: str, hall_id: int) -> str:
        return f"{self.prefix}:{what}:{hall_id}"

    def publish(self, *, hall_id: int, kind: str, data: dict) -> Event:
        at = time.time()
        raw = _encode(kind, data, at)
        keys = [self._key("seq", hall_id), self._key("stream", hall_id), self._key("pub", hall_id)]
        event_id = int(self._script(keys=keys, args=[raw, self.maxlen]))
        return _decode(event_id, hall_id, raw)

    def last_id(self, hall_id: int) -> int:
        value = self.client.get(self._key("seq", hall_id))
        return int(value) if value else 0

    def local_since(self, hall_id: int, after_id: int) -> list[Event] | None:
        return self.hub.since(hall_id, after_id)

    def replay(self, hall_id: int, after_id: int) -> tuple[list[Event], bool]:
        self.ensure_listener()
        found = self.hub.since(hall_id, after_id) if after_id else None  # 0: the stream holds everything
        if found is not None and (found or after_id >= self.hub.last_id(hall_id) > 0):
            return found, False
        last = self.last_id(hall_id)
        if after_id > last:
            return [], True  # ids from before a Redis reset
        if after_id == last:
            return [], False
        rows = self.client.xrange(self._key("stream", hall_id), min=f"{after_id + 1}-0", max="+")
        events = [_decode(int(rid.split(b"-")[0]), hall_id, fields[b"p"]) for rid, fields in rows]
        lost = not events or events[0].id != after_id + 1
        return events, lost

    def ensure_listener(self, timeout: float = 5.0) -> None:
        if self._listener is not None and self._listener.is_alive() and self._listener_pid == os.getpid():
            return
        with self._start_lock:
            if self._listener is None or not self._listener.is_alive() or self._listener_pid != os.getpid():
                self._ready.clear()
                self._listener_pid = os.getpid()
                self._listener = threading.Thread(target=self._listen, name="floor-bus-redis", daemon=True)
                self._listener.start()
        self._ready.wait(timeout)

    def _listen(self) -> None:
        import redis

        pattern = f"{self.prefix}:pub:*"
        head = len(self.prefix) + len(":pub:")
        while not self._stop.is_set():
            pubsub = None
            try:
                client = redis.Redis.from_url(self.url, health_check_interval=30)
                pubsub = client.pubsub()
                pubsub.psubscribe(pattern)
                while not self._stop.is_set():
                    msg = pubsub.get_message(timeout=1.0)
                    if msg is None:
                        continue
                    if msg["type"] == "psubscribe":
                        self.hub.reset()  # anything published while we were away is fetched from the stream
                        self._ready.set()
                        continue
                    if msg["type"] != "pmessage":
                        continue
                    hall_id = int(msg["channel"][head:])
                    event_id, _, raw = msg["data"].partition(b" ")
                    self.hub.deliver(_decode(int(event_id), hall_id, raw))
            except Exception:  # Redis restarted or unreachable: retry; screens replay from the stream
                logger.warning("floor bus: Redis listener lost its connection, retrying", exc_info=True)
                self._ready.clear()
                time.sleep(1.0)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:
                        pass

    def _published_before_listening(self, hall_id: int, after_id: int) -> bool:
        """Just (re)subscribed: an event published before that never reached this process's hub (pub/sub keeps
        nothing), so ask Redis' counter; from the subscription on, the hub sees every event."""
        return self._ready.is_set() and self.last_id(hall_id) > after_id

    async def wait(self, hall_id: int, after_id: int, timeout: float) -> bool:
        if not self._ready.is_set():
            await asyncio.to_thread(self.ensure_listener)
            if await asyncio.to_thread(self._published_before_listening, hall_id, after_id):
                return True
        return await self.hub.wait(hall_id, after_id, timeout)

    def wait_sync(self, hall_id: int, after_id: int, timeout: float) -> bool:
        if not self._ready.is_set():
            self.ensure_listener()
            if self._published_before_listening(hall_id, after_id):
                return True
        return self.hub.wait_sync(hall_id, after_id, timeout)

    def close(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.join(timeout=3)
        self.client.close()


_backend: InProcessBackend | RedisBackend | None = None
_backend_lock = threading.Lock()


def get_backend() -> InProcessBackend | RedisBackend:
    global _backend
    if _backend is None:
        with _backend_lock:
            if _backend is None:
                maxlen = int(getattr(settings, "FLOOR_BUS_BUFFER", DEFAULT_BUFFER))
                url = getattr(settings, "REDIS_URL", None)
                if url:
                    prefix = getattr(settings, "FLOOR_BUS_PREFIX", None) or os.environ.get(
                        "FLOOR_BUS_PREFIX", "tingwu:floor"
                    )
                    _backend = RedisBackend(url, prefix=prefix, maxlen=maxlen)
                else:
                    _backend = InProcessBackend(maxlen=maxlen)
    return _backend


def set_backend(backend: InProcessBackend | RedisBackend | None) -> InProcessBackend | RedisBackend | None:
    """Swap the process backend (tests, benchmarks); returns the previous one."""
    global _backend
    with _backend_lock:
        previous, _backend = _backend, backend
    return previous


def publish(*, hall_id: int, kind: str, data: dict) -> None:
    """Publish one event to every screen of a hall.

    Never raises: it runs after the business transaction committed, and a screen that misses an event resyncs;
    failing the clerk's call because Redis blinked would be worse.
    """
    try:
        get_backend().publish(hall_id=hall_id, kind=kind, data=data)
    except Exception:
        logger.exception("floor bus: publish failed (hall %s, kind %s)", hall_id, kind)
