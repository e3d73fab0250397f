"""Demo: counters get work profiles, and the kiosk pairing instructions are printed. Idempotent.

Watch the floor working: ``make run`` in one terminal, ``manage.py simulate --live --speed 10`` in another.
"""

from __future__ import annotations

from catalog.models import BusinessCategory, BusinessType
from halls.models import Counter


def load(ctx: dict) -> None:
    for hall in ctx.get("halls", []):
        types = list(BusinessType.objects.for_hall(hall))
        everyday = [t for t in types if t.category != BusinessCategory.COMPLEX]
        complex_ = [t for t in types if t.category == BusinessCategory.COMPLEX]
        for counter in Counter.objects.filter(hall=hall, serves_all=False):
            if counter.business_types.exists():
                continue
            # Even-numbered counters take complex business (handsets, contracts), the others everyday business.
            counter.business_types.set(complex_ if counter.number % 2 == 0 and complex_ else everyday)
    tokens = ctx.get("device_tokens") or {}
    if tokens and not ctx.get("quiet"):
        out = ctx["stdout"]
        out.write("Kiosk: open /queue/kiosk/pair/ on the kiosk and enter its token:")
        for (code, kind), raw in sorted(tokens.items()):
            if kind == "kiosk":
                out.write(f"  {code}: {raw}")
