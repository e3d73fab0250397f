"""Overload answers: a request the server cannot serve now gets ``503`` with ``Retry-After`` and a stable code.

Two parts (issue 14):

* **Admission** (``admitted``): each web process lets at most ``TINGWU_MAX_DB_REQUESTS`` requests use the database at
  once — by default the size of Django's PostgreSQL connection pool —, and the others wait their turn on the event
  loop (FIFO: ``asyncio.Semaphore``), at most ``TINGWU_ADMISSION_WAIT`` seconds, then get a 503. Why: under ASGI each
  Django request runs in a thread of its own, so a burst of 32 logins (each holding a connection while PBKDF2 runs)
  took 32 connections from a pool of 20; the 12 left over waited for the pool's timeout and answered 500. Waiting
  *before* the thread starts costs nothing and keeps the pool's own waits (and timeouts) away.
* **Mapping** (``OverloadMiddleware``, first in MIDDLEWARE): whatever still escapes as a pool timeout, SQLite's
  "database is locked" or a PostgreSQL connection lost (a server restart) becomes the same 503 instead of a 500,
  wherever it was raised (view, middleware, session save).

The answer: ``{"code": "overloaded", "message", "message_en"}`` for the API (as every API error), a short page
otherwise; both with ``Retry-After``. Nothing was changed by the refused request, so the client may send it again.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
import weakref
from contextlib import asynccontextmanager

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from lib.errors import ServiceError

logger = logging.getLogger(__name__)

CODE = "overloaded"
MESSAGE = _("系统繁忙，请稍后重试。")
DEFAULT_WAIT = 20.0  # seconds a request may wait for admission before it is refused


def retry_after() -> int:
    return int(getattr(settings, "TINGWU_RETRY_AFTER", 2))


# PostgreSQL's "the server is going away or gone" (class 08's connection failures — not 08P01, a protocol violation,
# which is a bug; 57P01–03: shutdown, crash, starting up) and psycopg's words for a connection found closed: the
# request did not happen and may be sent again.
_GONE_SQLSTATES = frozenset({"08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03"})
_GONE_WORDS = ("the connection is closed", "server closed the connection", "connection is lost")


def is_overload(exc: BaseException | None) -> bool:
    """The database cannot serve the request now — a pool timeout, SQLite's lock wait running out, PostgreSQL's
    connection lost (a server restart) — anywhere in the exception's chain."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if type(exc).__name__ == "PoolTimeout":  # psycopg_pool's, without importing it where it is absent
            return True
        # psycopg's errors carry the SQLSTATE (Django's wrapper has it as its __cause__).
        if getattr(exc, "sqlstate", None) in _GONE_SQLSTATES:
            return True
        if isinstance(exc, OperationalError | sqlite3.OperationalError):
            text = str(exc).lower()
            if "database is locked" in text or "database table is locked" in text:
                return True
            if any(w in text for w in _GONE_WORDS):
                return True
        exc = exc.__cause__ or exc.__context__
    return False


def overloaded_body() -> dict:
    return {"code": CODE, **ServiceError(CODE, MESSAGE).messages()}


def overloaded_response(request=None) -> HttpResponse:
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/") or request is None:
        response = JsonResponse(overloaded_body(), status=503, json_dumps_params={"ensure_ascii": False})
    else:
        page = f'<!doctype html><meta charset="utf-8"><title>503</title><p>{escape(str(MESSAGE))}</p>'
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(retry_after())
    response["Cache-Control"] = "no-store"
    return response


# --- admission: at most N requests at the database per process and event loop ---------------------------------

_gates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # event loop → (size, Semaphore)


def admission_size() -> int:
    """``TINGWU_MAX_DB_REQUESTS`` if set (0: no limit), else the PostgreSQL pool's ``max_size`` (no limit without)."""
    size = getattr(settings, "TINGWU_MAX_DB_REQUESTS", None)
    if size is not None:
        return int(size)
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    if isinstance(pool, dict):
        return int(pool.get("max_size", 0) or 0)
    return 0


def _gate() -> asyncio.Semaphore | None:
    size = admission_size()
    if size <= 0:
        return None
    loop = asyncio.get_running_loop()
    held = _gates.get(loop)
    if held is None or held[0] != size:
        held = _gates[loop] = (size, asyncio.Semaphore(size))
    return held[1]


@asynccontextmanager
async def admitted(*, wait: float | None = DEFAULT_WAIT):
    """``async with admitted() as ok``: ok is False when no turn came within ``wait`` seconds (None: wait on)."""
    gate = _gate()
    if gate is None:
        yield True
        return
    if wait is DEFAULT_WAIT:
        wait = float(getattr(settings, "TINGWU_ADMISSION_WAIT", DEFAULT_WAIT))
    try:
        await asyncio.wait_for(gate.acquire(), wait)
    except TimeoutError:
        logger.warning("overload: no database turn within %.1f s, answering 503", wait)
        yield False
        return
    try:
        yield True
    finally:
        gate.release()


# --- mapping what still escapes --------------------------------------------------------------------------------


def _mark(sender, request=None, **_kwargs) -> None:
    """Django turns an exception into a 500 at the layer that raised it; remember why, for the middleware."""
    if request is not None and is_overload(sys.exc_info()[1]):
        request._tingwu_overload = True


got_request_exception.connect(_mark, dispatch_uid="tingwu_overload_mark")


class OverloadMiddleware:
    """Turn an overload that reached Django's 500 handling into a 503 with ``Retry-After`` (first in MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_tingwu_overload", False):
            logger.warning("overload: %s %s answered 503", request.method, request.path)
            return overloaded_response(request)
        return response

    def process_exception(self, request, exception):
        if is_overload(exception):
            logger.warning("overload: %s %s answered 503 (%s)", request.method, request.path, exception)
            return overloaded_response(request)
        return None
