"""English UI: every string of the foundation apps and of ``tingwu/`` has an English translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
APPS = ["halls", "staff", "privacy", "standard", "catalog", "integrations", "tingwu"]


@pytest.mark.parametrize("app", APPS)
def test_every_msgstr_is_filled_and_nothing_is_fuzzy(app):
    po = (ROOT / app / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = [b for b in po.split("\n\n") if re.search(r'^msgid "(?!")', b, re.M)]
    # An empty translation is `msgstr ""` with no continuation line (long strings wrap as `msgstr ""` + lines).
    empty = [b for b in entries if re.search(r'^msgstr(\[\d\])? ""(?:\n(?!")|\Z)', b.strip(), re.M)]
    assert entries and empty == []
    assert "#, fuzzy" not in po
    mo = ROOT / app / "locale" / "en" / "LC_MESSAGES" / "django.mo"
    assert mo.exists()


@pytest.mark.django_db
def test_pages_switch_to_english(client, people):
    client.force_login(people["clerk_a"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("catalog:guide", args=["PLAN"])).content.decode()
    assert "Business guide" in body and "Required materials" in body and "Completed within 15 minutes" in body
    assert "Opening hours" in client.get(reverse("halls:detail", args=[people["hall_a"].pk])).content.decode()
