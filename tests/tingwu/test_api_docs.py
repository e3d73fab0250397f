"""The API docs page works on an intranet: every asset is served locally."""

from __future__ import annotations

import re

import pytest

from tests import factories as f


@pytest.mark.django_db
def test_api_docs_page_loads_assets_locally_not_from_a_cdn(client):
    client.force_login(f.user())
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"(src|href)=\"https?://", html)


@pytest.mark.django_db
def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"].startswith("Tingwu")
