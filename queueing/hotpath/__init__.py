"""Hot path for the four busiest queue calls (issue, call-next, start, finish) — PostgreSQL only.

An ASGI layer in front of Django (``tingwu.asgi``). For exactly these requests —

* ``POST /api/v1/queue/kiosk/tickets`` (device token in ``Authorization``),
* ``POST /api/v1/queue/counters/{id}/call-next`` (staff session),
* ``POST /api/v1/queue/counters/{id}/tickets/{tid}/start`` and ``…/finish`` (staff session),

— whose credentials Django accepted a moment ago (``identity``), it runs the operation as one SQL statement in a
event loop on its own async connections (``ops``, ``db``) and answers with the same JSON Django would. Everything else, and every case it does not
treat (errors, green channel, missing materials, a first request, SQLite, ``QUEUE_HOT_PATH=0``), goes to Django
unchanged, with the request body replayed. Why: Django's request path costs ≈ 5–13 ms of CPU per request, which caps
2 cores at ≈ 150 requests/s; the hall floor's target is ≥ 2,000/s (docs/queueing.md, "Hot path";
docs/architecture.md, decision 9).
"""
