"""Demo customers with fake numbers of valid format (never real people)."""

from __future__ import annotations

from privacy.models import Customer
from privacy.services import customer_create, customer_find_by_phone

CUSTOMERS = [
    ("张桂兰", "13800138001", "11010519491231002X", {"is_elderly": True}),
    ("李明", "13900139002", "", {}),
    ("王芳", "13700137003", "", {"is_pregnant": True}),
    ("赵国强", "15000150004", "", {"is_disabled": True}),
    ("深圳市某科技有限公司联系人陈先生", "18600186005", "", {"green_channel_agreement": "GC-2026-0001"}),
    ("刘洋", "18800188006", "", {}),
]


def load(ctx: dict) -> None:
    hall = ctx["halls"][0]
    customers = []
    for name, mobile, idn, flags in CUSTOMERS:
        found = customer_find_by_phone(mobile=mobile).first()
        if found is None:
            found = customer_create(hall=hall, name=name, mobile=mobile, id_number=idn, **flags)
        customers.append(found)
    ctx["customers"] = customers
    ctx["demo_phones"] = [c[1] for c in CUSTOMERS]
    ctx["demo_id_numbers"] = [c[2] for c in CUSTOMERS if c[2]]
    assert Customer.objects.count() >= len(CUSTOMERS)
