"""Demo organisation: 广东省 › 深圳市 › 南山区 with a flagship hall and two small halls."""

from __future__ import annotations

from halls.models import Counter, CounterStatus, Hall, Region, RegionKind, Zone, ZoneKind

HALLS = [
    {
        "code": "SZ-NS-001",
        "name": "南山科技园旗舰营业厅",
        "address": "深圳市南山区科技园科苑路15号",
        "counters": 8,
        "phone": "0755-10086001",
    },
    {
        "code": "SZ-NS-002",
        "name": "蛇口营业厅",
        "address": "深圳市南山区蛇口工业八路88号",
        "counters": 3,
        "phone": "0755-10086002",
    },
    {
        "code": "SZ-NS-003",
        "name": "西丽营业厅",
        "address": "深圳市南山区西丽留仙大道3370号",
        "counters": 3,
        "phone": "0755-10086003",
    },
]


def load(ctx: dict) -> None:
    province, _ = Region.objects.get_or_create(
        code="GD", defaults={"name": "广东省", "kind": RegionKind.PROVINCE}
    )
    city, _ = Region.objects.get_or_create(
        code="GD-SZ", defaults={"name": "深圳市", "kind": RegionKind.CITY, "parent": province}
    )
    district, _ = Region.objects.get_or_create(
        code="GD-SZ-NS", defaults={"name": "南山区", "kind": RegionKind.DISTRICT, "parent": city}
    )
    halls = []
    for spec in HALLS:
        hall, created = Hall.objects.get_or_create(
            code=spec["code"],
            defaults={
                "region": district,
                "name": spec["name"],
                "address": spec["address"],
                "complaint_phone": spec["phone"],
                "complaint_wecom": "企业微信「南山移动服务」→ 投诉建议",
                "complaint_window": "1号窗口（现场投诉受理）",
            },
        )
        halls.append(hall)
        if created:
            zones = {
                kind: Zone.objects.create(
                    hall=hall,
                    kind=kind,
                    name=label,
                    seats=40 if kind == ZoneKind.WAITING else 0,
                    charging_points=8 if kind == ZoneKind.WAITING else 0,
                    reading_material=kind == ZoneKind.WAITING,
                )
                for kind, label in ZoneKind.choices
            }
            for n in range(1, spec["counters"] + 1):
                Counter.objects.create(
                    hall=hall,
                    zone=zones[ZoneKind.SERVICE],
                    number=n,
                    serves_all=(n == 1 or n == spec["counters"]),
                    is_accessible=(n == spec["counters"]),
                    status=CounterStatus.OPEN if n <= max(2, spec["counters"] - 2) else CounterStatus.CLOSED,
                )
    ctx.update(province=province, city=city, district=district, halls=halls)
