"""ASGI entry point (uvicorn in production): the display board's Server-Sent Events need an async server."""

from __future__ import annotations

import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")


class OneHopASGIHandler(ASGIHandler):
    """Run the whole middleware chain and a sync view in one worker thread (one hop from the event loop).

    Django's own ASGI chain switches thread at every sync-only middleware and around every ``process_request`` /
    ``process_response`` hook of the async-capable ones (several hops per request with this MIDDLEWARE list), a
    large share of an API request's CPU (docs/performance.md, "Figures moved out of code comments"). Async views (the SSE streams) still work: the sync chain runs them through
    ``async_to_sync`` and the streaming body is sent from the event loop as before."""

    def load_middleware(self, is_async=False):
        from tingwu import overload

        super().load_middleware(is_async=False)
        chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

        # A request waits for its turn at the database on the event loop, before its thread starts: a burst larger
        # than the connection pool queues fairly instead of timing out inside the pool (tingwu/overload.py).
        async def admitted_chain(request):
            async with overload.admitted() as ok:
                if not ok:
                    return overload.overloaded_response(request)
                return await chain(request)

        self._middleware_chain = admitted_chain


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
