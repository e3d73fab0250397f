"""The four persona cases every view test checks (issue 9 §5), after NetBox's ``GetObjectViewTestCase``:

1. **allowed** — a persona holding the right in the object's hall gets the answer (200, 302 after a POST, …);
2. **forbidden** — a persona of the same hall without the right is refused (403);
3. **other hall** — a persona holding the right only in another hall does not see the object at all (404, never 403:
   a refusal would confirm that the object exists);
4. **anonymous** — no session: pages redirect to the login page, the API answers 401.

Use::

    from tests.personas import Personas, check_personas

    responses = check_personas(
        client, world, f"/consultations/{c.pk}/reveal/",
        Personas(allowed="supervisor_a", forbidden="clerk_a", other_hall="clerk_b"),
        method="post", data={"field": "contact_phone", "reason": "回电"},
    )
    assert "18800188006" in responses["allowed"].content.decode()

The allowed persona goes last, so a POST that changes the object is refused three times before it succeeds once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import resolve_url


@dataclass(frozen=True)
class Personas:
    """Names of personas in the ``world`` fixture (tests/conftest.py); ``forbidden=None`` when every persona of the
    object's hall holds the right (e.g. reading a consultation)."""

    allowed: str
    other_hall: str
    forbidden: str | None = None


def _send(client, url: str, method: str, data, api: bool):
    if method == "get":
        return client.get(url, data or {})
    if api:
        return client.generic(method.upper(), url, json.dumps(data or {}), content_type="application/json")
    return getattr(client, method)(url, data or {})


def check_personas(
    client,
    world,
    url: str,
    personas: Personas,
    *,
    method: str = "get",
    data=None,
    api: bool | None = None,
    allowed_status: int | tuple[int, ...] = (200, 302),
    forbidden_status: int = 403,
) -> dict:
    """Run the four cases against one URL and assert each answer; returns the responses by case name
    (``anonymous``, ``other_hall``, ``forbidden``, ``allowed``) for the test's own checks on content."""
    api = url.startswith("/api/") if api is None else api
    allowed_statuses = (allowed_status,) if isinstance(allowed_status, int) else allowed_status
    responses = {}

    client.logout()
    responses["anonymous"] = r = _send(client, url, method, data, api)
    if api:
        assert r.status_code == 401, f"anonymous {method} {url}: {r.status_code}"
    else:
        assert r.status_code == 302 and r["Location"].startswith(resolve_url(settings.LOGIN_URL)), (
            f"anonymous {method} {url}: {r.status_code} {r.get('Location')}"
        )

    client.force_login(world[personas.other_hall])
    responses["other_hall"] = r = _send(client, url, method, data, api)
    assert r.status_code == 404, f"{personas.other_hall} (other hall) {method} {url}: {r.status_code}"

    if personas.forbidden is not None:
        client.force_login(world[personas.forbidden])
        responses["forbidden"] = r = _send(client, url, method, data, api)
        assert r.status_code == forbidden_status, (
            f"{personas.forbidden} (forbidden) {method} {url}: {r.status_code}"
        )

    client.force_login(world[personas.allowed])
    responses["allowed"] = r = _send(client, url, method, data, api)
    assert r.status_code in allowed_statuses, f"{personas.allowed} (allowed) {method} {url}: {r.status_code}"
    return responses


# The six personas the permission matrices walk (tests/staff/test_page_permissions.py).
PERSONAS = ["clerk_a", "manager_a", "clerk_b", "inspector", "auditor", "hq"]
