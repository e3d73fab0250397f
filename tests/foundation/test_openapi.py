"""The OpenAPI document is complete for the foundation routers: every operation has a summary and a 200 schema."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

FOUNDATION = ("/api/v1/halls", "/api/v1/catalog", "/api/v1/standard", "/api/v1/staff", "/api/v1/customers")


def test_openapi_lists_the_foundation_operations_with_schemas(client, world):
    client.force_login(world["hq"])
    spec = client.get("/api/v1/openapi.json").json()
    ops = {
        (path, method): op
        for path, item in spec["paths"].items()
        if path.startswith(FOUNDATION)
        for method, op in item.items()
    }
    assert ("/api/v1/customers/lookup", "post") in ops
    assert ("/api/v1/standard/in-force", "get") in ops
    assert len(ops) >= 10
    for key, op in ops.items():
        assert op.get("summary"), key
        assert "200" in op["responses"] and op["responses"]["200"].get("content"), key
