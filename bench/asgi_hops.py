"""What a request's thread hops cost under Django's ASGI handler (issue 14): ``--requests`` times, in a fresh
``ThreadSensitiveContext`` as Django's ``ASGIHandler`` opens one per request, one or three
``sync_to_async(thread_sensitive=True)`` calls of an empty function.

    .venv/bin/python bench/asgi_hops.py [--requests 2000]

Django's handler makes three per request even with ``tingwu.asgi.OneHopASGIHandler``: the ``request_started``
receivers, the middleware chain and view, ``response.close()`` (``request_finished``). The first hop of a context
starts that context's own worker thread.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from asgiref.sync import ThreadSensitiveContext, sync_to_async


def nothing() -> None:
    return None


async def request(hops: int) -> None:
    async with ThreadSensitiveContext():
        for _ in range(hops):
            await sync_to_async(nothing, thread_sensitive=True)()


async def main(n: int) -> None:
    for hops in (1, 3, 1, 3):
        t0, w0 = os.times(), time.perf_counter()
        for _ in range(n):
            await request(hops)
        t1 = os.times()
        cpu = (t1.user + t1.system - t0.user - t0.system) / n * 1000
        print(
            f"{hops} hop(s) per request: {cpu:.3f} ms CPU, {(time.perf_counter() - w0) / n * 1000:.3f} ms wall"
        )
    print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    asyncio.run(main(ap.parse_args().requests))
