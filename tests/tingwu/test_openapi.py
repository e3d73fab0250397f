"""The OpenAPI document is complete for the foundation routers: every operation has a summary and a 200 schema."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

FOUNDATION = ("/api/v1/halls", "/api/v1/catalog", "/api/v1/standard", "/api/v1/staff", "/api/v1/customers")
# Routers of the finished apps whose error answers must be documented as well.
DOCUMENTED = FOUNDATION + ("/api/v1/sla", "/api/v1/notifications")


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


def test_every_operation_documents_its_summary_and_error_answers(client, world):
    """Each operation has a written summary (中文 / English, not django-ninja's title-cased function name), documents 401 (all
    need a session or a token) and 422 when it takes a query or a body; every error answer carries the {code, message} body."""
    client.force_login(world["hq"])
    spec = client.get("/api/v1/openapi.json").json()
    checked = 0
    for path, item in spec["paths"].items():
        if not path.startswith(DOCUMENTED):
            continue
        for method, op in item.items():
            key = (method, path)
            checked += 1
            # The house style is bilingual ("中文 / English"); a generated summary ("List Clocks") is not.
            assert " / " in (op.get("summary") or ""), key
            assert "401" in op["responses"], key
            if any(p["in"] == "query" for p in op.get("parameters", [])) or op.get("requestBody"):
                assert "422" in op["responses"], key
            for status, answer in op["responses"].items():
                if status.startswith("4"):
                    ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                    assert {"code", "message", "message_en"} <= set(
                        spec["components"]["schemas"][ref]["properties"]
                    )
    assert checked >= 14
