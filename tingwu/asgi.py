"""ASGI entry point (uvicorn in production): the display board's Server-Sent Events need an async server."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.urls import set_script_prefix

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")


class _RequestThread(ThreadPoolExecutor):
    """One thread that runs one request's sync code at a time; it knows whether its last call has finished."""

    def __init__(self):
        super().__init__(max_workers=1, thread_name_prefix="tingwu-request")
        self._last: Future | None = None

    def submit(self, fn, /, *args, **kwargs):
        self._last = super().submit(fn, *args, **kwargs)
        return self._last

    @property
    def idle(self) -> bool:
        return self._last is None or self._last.done()


class RequestThreads:
    """Request threads kept across requests (``ThreadSensitiveContext(executor=…)``, asgiref ≥ 3.13).

    Django's handler opens a fresh ``ThreadSensitiveContext`` per request, whose first sync call starts a new thread
    — a large share of a small API request's CPU (docs/performance.md, issue 14, session 9). Here a request takes an
    idle thread and gives it back: as a WSGI server's thread pool does, one request at a time per thread, with the
    thread's database connection handled by ``request_started`` / ``request_finished`` as before. A thread still
    running a call when its request ends (the client went away mid-view) is not reused: it finishes and exits, as
    under Django's own handler. Touched only from the event loop, so no lock."""

    def __init__(self, keep: int = 64):
        self._idle: list[_RequestThread] = []
        self._keep = keep

    def take(self) -> _RequestThread:
        return self._idle.pop() if self._idle else _RequestThread()

    def give(self, thread: _RequestThread) -> None:
        if thread.idle and len(self._idle) < self._keep:
            self._idle.append(thread)
        else:
            thread.shutdown(wait=False)


class OneHopASGIHandler(ASGIHandler):
    """Run the whole middleware chain and a sync view in one worker thread (one hop from the event loop).

    Django's own ASGI chain switches thread at every sync-only middleware and around every ``process_request`` /
    ``process_response`` hook of the async-capable ones (several hops per request with this MIDDLEWARE list), a
    large share of an API request's CPU (docs/performance.md, "Figures moved out of code comments"). Async views (the SSE streams) still work: the sync chain runs them through
    ``async_to_sync`` and the streaming body is sent from the event loop as before."""

    def __init__(self):
        self._threads = RequestThreads()
        super().__init__()

    def load_middleware(self, is_async=False):
        from tingwu import overload

        super().load_middleware(is_async=False)
        sync_chain, sender = self._middleware_chain, self.__class__

        def started_and_chain(request):
            # request_started and, for a response whose body is already built, response.close() (which sends
            # request_finished: the thread's connection goes back to the pool) in the chain's own thread hop —
            # Django's handler makes a hop for each. A streaming response (SSE, exports) is closed after it has
            # been sent, as before.
            signals.request_started.send(sender=sender, scope=request.scope)
            response = sync_chain(request)
            if not response.streaming:
                response._handler_class = sender
                response.close()
            return response

        chain = sync_to_async(started_and_chain, thread_sensitive=True)

        # A request waits for its turn at the database on the event loop, before its thread starts: a burst larger
        # than the connection pool queues fairly instead of timing out inside the pool (tingwu/overload.py).
        async def admitted_chain(request):
            async with overload.admitted() as ok:
                if not ok:
                    return overload.overloaded_response(request)
                return await chain(request)

        self._middleware_chain = admitted_chain

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":  # as Django's handler
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        thread = self._threads.take()
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            self._threads.give(thread)

    # Django 6.1's ASGIHandler.handle, but for two lines: ``request_started`` is sent by the chain, in its thread
    # hop, and a response the chain has closed is not closed again (two hops fewer per request, docs/performance.md
    # "Issue 14 (session 9)"). tests/tingwu/test_asgi_request_threads.py
    # fails when Django's own handle() changes, to have this copy compared again.
    async def handle(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return

        with closing(body_file):
            set_script_prefix(get_script_prefix(scope))
            request, error_response = self.create_request(scope, body_file)
            if request is None:
                body_file.close()
                await self.send_response(error_response, send)
                await sync_to_async(error_response.close)()
                return

            class RequestProcessed(Exception):
                pass

            response = None
            try:
                try:
                    async with asyncio.TaskGroup() as tg:
                        tg.create_task(self.listen_for_disconnect(receive))
                        response = await self.run_get_response(request)
                        await self.send_response(response, send)
                        raise RequestProcessed
                except* (RequestProcessed, RequestAborted):
                    pass
            except BaseExceptionGroup as exception_group:
                if len(exception_group.exceptions) == 1:
                    raise exception_group.exceptions[0]
                raise

            if response is None:
                await signals.request_finished.asend(sender=self.__class__)
            elif not response.closed:  # streaming, or answered without the chain (overload)
                await sync_to_async(response.close)()


def get_application():
    django.setup(set_prefix=False)
    from queueing.hotpath.asgi import HotPath

    # The four busiest queue calls skip Django's request path on PostgreSQL (queueing/hotpath, docs/queueing.md).
    app = HotPath(OneHopASGIHandler())
    _settle_heap()
    return app


def _settle_heap() -> None:
    """Import what requests need, then hide the start-up heap from the cyclic garbage collector (``gc.freeze``).

    Every full collection walks every tracked object: with Django, the API and the apps loaded that is a pause of
    the whole event loop — every request in flight waits (measured with bench/hot_path_inprocess.py; figures in
    docs/performance.md, "Figures moved out of code comments"). Frozen,
    the start-up objects are never scanned (nor freed: they live as long as the process anyway)."""
    from django.urls import get_resolver

    import queueing.hotpath.ops  # noqa: F401 - imported by the first hot request otherwise
    import tingwu.api  # noqa: F401
    from tingwu.heap import freeze_start_up_heap

    get_resolver().url_patterns  # noqa: B018 - imports every app's URLs and views
    freeze_start_up_heap()


application = get_application()
