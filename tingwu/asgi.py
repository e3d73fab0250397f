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
    ``process_response`` hook of the async-capable ones (≈ 7 hops per request with this MIDDLEWARE list), which cost
    ≈ 2 ms of a ≈ 9 ms API request. Async views (the SSE streams) still work: the sync chain runs them through
    ``async_to_sync`` and the streaming body is sent from the event loop as before."""

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)


def get_application():
    django.setup(set_prefix=False)
    from queueing.hotpath import HotPath

    # The four busiest queue calls skip Django's request path on PostgreSQL (queueing/hotpath, docs/queueing.md).
    return HotPath(OneHopASGIHandler())


application = get_application()
