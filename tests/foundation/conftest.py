from __future__ import annotations

import pytest

from catalog.models import GlossaryTerm, PhraseKind, StandardPhrase
from integrations.models import TokenKind, token_create
from privacy.services import customer_create


@pytest.fixture
def people(world):
    """The personas plus a customer in hall A and one in hall B, glossary rows and device tokens."""
    world["cust_a"] = customer_create(
        hall=world["hall_a"],
        name="张桂兰",
        mobile="13800138001",
        id_number="11010519491231002X",
        is_elderly=True,
    )
    world["cust_b"] = customer_create(hall=world["hall_b"], name="李明", mobile="13900139002")
    GlossaryTerm.objects.create(
        term="流量结转",
        plain="本月没用完的流量会自动转到下个月",
        plain_en="Data you don't use moves to next month",
    )
    GlossaryTerm.objects.create(term="副卡", plain="和主号共用套餐的另一张卡")
    StandardPhrase.objects.create(
        kind=PhraseKind.GREETING, text="您好，请问有什么可以帮您？", clause="STF-2.1"
    )
    world["token_a"] = token_create(hall=world["hall_a"], kind=TokenKind.KIOSK, name="kiosk A")[1]
    world["token_b"] = token_create(hall=world["hall_b"], kind=TokenKind.DISPLAY, name="display B")[1]
    return world


PERSONAS = ["clerk_a", "manager_a", "clerk_b", "inspector", "auditor", "hq"]
