"""Bad input: ids beyond a database integer in filters are a 4xx, never a 500 (issue 10 §5 fuzzing findings)."""

from __future__ import annotations

import pytest

from tests.conftest import login

BIG = "9" * 25


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/training/sessions/{BIG}",
        f"/api/v1/training/sessions?hall={BIG}",
        f"/api/v1/training/coverage?hall={BIG}",
        f"/api/v1/training/retraining?hall={BIG}",
        f"/api/v1/visits/{BIG}",
        f"/api/v1/visits?hall={BIG}",
        f"/api/v1/visits?offset={BIG}",
        f"/training/?hall={BIG}",
        f"/training/coverage/?hall={BIG}",
        f"/training/{BIG}/",
        f"/visits/?hall={BIG}",
        f"/visits/{BIG}/",
        "/visits/?hall=-1",
        "/training/?hall=abc",
    ],
)
def test_huge_or_bad_ids_are_a_4xx(client, world, url):
    login(client, world["manager_a"])
    assert 400 <= client.get(url).status_code < 500
