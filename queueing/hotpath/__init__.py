"""Hot path for the four busiest queue calls (issue, call-next, start, finish) — PostgreSQL and SQLite.

An ASGI layer in front of Django (``asgi.HotPath``, wrapped around Django in ``tingwu.asgi``). For exactly these
requests —

* ``POST /api/v1/queue/kiosk/tickets`` (device token in ``Authorization``),
* ``POST /api/v1/queue/counters/{id}/call-next`` (staff session),
* ``POST /api/v1/queue/counters/{id}/tickets/{tid}/start`` and ``…/finish`` (staff session),

— whose credentials Django accepted a moment ago (``identity``), it runs the operation on the event loop on its own
connections — one SQL statement on PostgreSQL (``sql``, ``db``: asyncpg), one short write transaction in the
engine's writers' turn on SQLite (``sqlite_sql``, ``lite``) — and answers with the same JSON Django would (``ops``).
Everything else, and every case it does not treat (errors, green channel, missing materials, a first request,
``QUEUE_HOT_PATH=0``, SQLite with ``TINGWU_SQLITE_WRITE_QUEUE=0``), goes to Django unchanged, with the request body
replayed. Every rule it restates is listed with its home in the services in ``sql.MIRRORS`` (``mirrors``). Why:
Django's request path costs many times the CPU of one statement (docs/queueing.md, "Hot path"; docs/performance.md).
"""
