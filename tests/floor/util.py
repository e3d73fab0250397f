from __future__ import annotations

import threading


def off_loop(fn, *args, **kwargs):
    """Run ``fn`` in a fresh thread and return its result.

    Playwright's sync API (session-scoped browser) leaves an event loop running in the main thread, and then neither
    ``asyncio.run`` nor Django's ``async_to_sync`` (an async view under the sync test client) may run there.
    """
    box: dict = {}

    def target():
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc
        finally:
            from django.db import connections

            connections.close_all()  # this thread's connection would otherwise outlive the test database

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")
