from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")
# Monday 2 March 2026, an ordinary working day, 10:00 in Shanghai.
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def subject(world):
    """Any saved model can carry clocks; the tests use a hall row (H5's complaints carry them in the app)."""
    return world["hall_b"]


def publish_variant(number: int, effective_from: datetime, **overrides):
    """Publish a copy of v1 with some parameters changed (or added)."""
    import json

    from standard.services import V1_PATH, standard_publish

    data = json.loads(V1_PATH.read_text(encoding="utf-8"))
    params = {p["code"]: p for p in data["parameters"]}
    for code, value in overrides.items():
        code = code.replace("__", ".")
        params.setdefault(code, {"code": code, "clause": "CMP-2.1", "label": code, "unit": ""})
        params[code] = params[code] | {"value": value}
    return standard_publish(
        number=number, title=f"v{number}", effective_from=effective_from, parameters=list(params.values())
    )
