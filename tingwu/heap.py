"""Hiding a long-lived process's start-up heap from the cyclic garbage collector (``gc.freeze``).

Every full collection walks every tracked object. In a process that has loaded Django and the apps that is
≈ 120,000–140,000 objects, and a pass that allocates a lot (a request, an SLA sweep writing thousands of rows)
triggers such a collection: the ASGI server paused its event loop, the worker's sweep paid for it once or twice per
pass (figures in docs/performance.md). Frozen, the start-up objects are never scanned (nor freed: they live as
long as the process anyway); garbage made afterwards is still collected."""

from __future__ import annotations

import gc


def freeze_start_up_heap() -> None:
    """Collect what start-up left as garbage, then move every surviving object to the permanent generation."""
    gc.collect()
    gc.freeze()
