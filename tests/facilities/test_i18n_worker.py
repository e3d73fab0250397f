"""The facilities English catalogue is complete and used; the worker runs the facilities sweep (ENV-2.1, ENV-4)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import translation

from facilities.models import CleaningRound
from tests.conftest import login
from tests.facilities.conftest import SH

PO = Path(settings.BASE_DIR) / "facilities" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_msgstr_is_filled_and_none_is_fuzzy():
    text = PO.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    empty = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$(?!\n")', e, re.M)]
    assert empty == []
    assert "#, fuzzy" not in text


@pytest.mark.django_db
def test_hall_page_in_english(client, world, fac):
    login(client, world["manager_a"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with translation.override("en"):
        page = client.get(
            f"/facilities/halls/{world['hall_a'].pk}/", HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "Environment and facilities" in page and "Facility register" in page
    assert "环境与设施" not in page


# transaction=True: the worker closes stale connections between jobs, as it must in production.
@pytest.mark.django_db(transaction=True)
def test_worker_pass_runs_the_facilities_sweep(world):
    from tingwu.management.commands.worker import run_pass

    now = datetime(2026, 12, 7, 7, 0, tzinfo=SH)
    with time_machine.travel(now, tick=False):
        result = run_pass()
    assert set(result["facilities"]) == {"maintenance", "devices", "cleaning"}
    assert CleaningRound.objects.filter(hall=world["hall_a"], day=now.date()).count() == 6
