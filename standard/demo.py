from __future__ import annotations

from standard.services import standard_seed_v1


def load(ctx: dict) -> None:
    ctx["standard"] = standard_seed_v1()
