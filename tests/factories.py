"""Small builders for tests: real rows in the real database, no mocks."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from catalog.models import BusinessCategory, BusinessType, RequiredMaterial
from halls.models import Counter, CounterStatus, Hall, Region, RegionKind
from staff.models import HallAssignment, RegionAssignment, StaffProfile

_seq = itertools.count(1)
PASSWORD = "Test@Pass2026"


def region(code: str | None = None, parent=None, kind=RegionKind.DISTRICT) -> Region:
    n = next(_seq)
    return Region.objects.create(code=code or f"R{n}", name=f"区域{n}", kind=kind, parent=parent)


def hall(reg: Region | None = None, code: str | None = None, name: str | None = None) -> Hall:
    n = next(_seq)
    return Hall.objects.create(
        region=reg or region(),
        code=code or f"H{n}",
        name=name or f"测试营业厅{n}",
        complaint_phone="0755-10086000",
    )


def business_type(
    code: str | None = None,
    category=BusinessCategory.BASIC,
    prefix: str | None = None,
    halls=(),
    name: str | None = None,
    materials=(),
) -> BusinessType:
    n = next(_seq)
    prefix = prefix or {"basic": "A", "complex": "B", "consultation": "C"}[category]
    bt = BusinessType.objects.create(
        code=code or f"BT{n}", name=name or f"业务{n}", category=category, ticket_prefix=prefix
    )
    if halls:
        bt.halls.set(halls)
    for i, (mname, mandatory, how) in enumerate(materials):
        RequiredMaterial.objects.create(
            business_type=bt, name=mname, mandatory=mandatory, how_to_obtain=how, sort_order=i
        )
    return bt


def counter(
    h: Hall,
    number: int,
    *,
    serves_all=True,
    business_types=(),
    status=CounterStatus.OPEN,
    ratio: int | None = None,
) -> Counter:
    """``ratio``: the "ratio" calling profile with that many normal tickets between two priority ones; without it the
    default profile (priority customers first, BIZ-4)."""
    extra = {"calling_profile": "ratio", "priority_ratio_normal": ratio} if ratio is not None else {}
    c = Counter.objects.create(hall=h, number=number, serves_all=serves_all, status=status, **extra)
    if business_types:
        c.business_types.set(business_types)
    return c


def user(username: str | None = None, *, hall_roles=(), region_roles=(), superuser=False, password=PASSWORD):
    """hall_roles: [(hall, role)], region_roles: [(region_or_None, role)]."""
    User = get_user_model()
    n = next(_seq)
    u = User.objects.create_user(username=username or f"user{n}", password=password, is_superuser=superuser)
    StaffProfile.objects.create(user=u, full_name=f"员工{n}", employee_number=f"E{n:05d}", post="测试")
    for h, role in hall_roles:
        HallAssignment.objects.create(user=u, hall=h, role=role)
    for r, role in region_roles:
        RegionAssignment.objects.create(user=u, region=r, role=role)
    return u
