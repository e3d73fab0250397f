"""Complete English: a business type shows its English name on English pages (kiosk, console, guide)."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests import factories as f


@pytest.mark.django_db
def test_business_type_label_follows_the_page_language():
    bt = f.business_type(name="套餐变更")
    bt.name_en = "Plan change"
    with translation.override("zh-hans"):
        assert bt.label == "套餐变更" and str(bt) == "套餐变更"
    with translation.override("en"):
        assert bt.label == "Plan change"
    bt.name_en = ""
    with translation.override("en"):
        assert bt.label == "套餐变更"  # no English name: the Chinese one rather than nothing


@pytest.mark.django_db
def test_english_guide_page_shows_the_english_name(client, world):
    world["basic"].name_en = "Plan change"
    world["basic"].save()
    client.force_login(world["clerk_a"])
    client.cookies["django_language"] = "en"
    html = client.get(f"/catalog/guide/{world['basic'].code}/").content.decode()
    assert "Plan change" in html
