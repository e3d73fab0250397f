"""The floor's English catalogue is complete; screens and notices switch language (zh-hans default)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from floor.models import IncidentKind
from floor.services import incident_declare

PO = Path(settings.BASE_DIR) / "floor" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_msgstr_is_filled_and_none_is_fuzzy():
    text = PO.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first block is the header
    # An empty translation is `msgstr ""` with no continuation line after it (long ones wrap onto "…" lines).
    empty = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$(?!\n")', e, re.M)]
    assert empty == []
    assert "#, fuzzy" not in text


@pytest.mark.django_db
def test_emergency_notice_in_english(world):
    incident = incident_declare(
        user=world["supervisor_a"], hall=world["hall_a"], kind=IncidentKind.SYSTEM_FAILURE, minutes=10
    )
    with translation.override("en"):
        assert incident.customer_notice().startswith("System maintenance, expected back in 10 minutes")
