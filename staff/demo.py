"""Demo staff in every role. All demo accounts share one documented password (local use only)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from staff.models import DutyShift, HallAssignment, HallRole, RegionAssignment, RegionRole, StaffProfile

DEMO_PASSWORD = "Tingwu@2026"

# username, full name, employee number, post, hall index or None, role
PEOPLE = [
    ("clerk1", "李晓燕", "NS10001", "营业员", 0, HallRole.CLERK),
    ("clerk2", "王建国", "NS10002", "营业员", 0, HallRole.CLERK),
    ("clerk3", "陈思雨", "NS10003", "营业员", 0, HallRole.CLERK),
    ("greeter1", "赵敏", "NS10004", "引导员", 0, HallRole.GREETER),
    ("supervisor1", "刘强", "NS10005", "值班主管", 0, HallRole.DUTY_SUPERVISOR),
    ("manager1", "周静", "NS10006", "厅经理", 0, HallRole.HALL_MANAGER),
    ("clerk_sk", "黄磊", "NS20001", "营业员", 1, HallRole.CLERK),
    ("manager_sk", "吴芳", "NS20002", "厅经理", 1, HallRole.HALL_MANAGER),
    ("clerk_xl", "孙涛", "NS30001", "营业员", 2, HallRole.CLERK),
    ("manager_xl", "郑丽", "NS30002", "厅经理", 2, HallRole.HALL_MANAGER),
    ("inspector1", "何志明", "QA00001", "区域质检员", None, RegionRole.QUALITY_INSPECTOR),
    ("hq1", "马总部", "HQ00001", "总部管理员", None, RegionRole.HQ_ADMIN),
    ("auditor1", "钱审计", "AU00001", "审计员", None, RegionRole.AUDITOR),
]


def load(ctx: dict) -> None:
    User = get_user_model()
    halls, district = ctx["halls"], ctx["district"]
    created_any = []
    for username, full_name, number, post, hall_index, role in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": role in {HallRole.HALL_MANAGER, RegionRole.HQ_ADMIN}}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created_any.append(username)
        StaffProfile.objects.get_or_create(
            user=user, defaults={"full_name": full_name, "employee_number": number, "post": post}
        )
        if hall_index is not None:
            HallAssignment.objects.get_or_create(user=user, hall=halls[hall_index], role=role)
        else:
            region = None if role == RegionRole.HQ_ADMIN else district
            RegionAssignment.objects.get_or_create(user=user, region=region, role=role)
    if User.objects.filter(username="hq1", is_superuser=False).exists():
        User.objects.filter(username="hq1").update(is_superuser=True, is_staff=True)
    # Today's duty roster: supervisor1 on duty at the flagship all day; managers cover their own halls.
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    for hall, username in [(halls[0], "supervisor1"), (halls[1], "manager_sk"), (halls[2], "manager_xl")]:
        user = User.objects.get(username=username)
        for day in range(0, 7):
            start = today + timedelta(days=day)
            DutyShift.objects.get_or_create(
                hall=hall, user=user, starts_at=start, defaults={"ends_at": start + timedelta(days=1)}
            )
    ctx["demo_users"] = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in PEOPLE])}
    ctx["created_users"] = created_any


def print_logins(stdout) -> None:
    stdout.write("")
    stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, full_name, _number, post, hall_index, _role in PEOPLE:
        where = {0: "南山科技园旗舰营业厅", 1: "蛇口营业厅", 2: "西丽营业厅"}.get(hall_index, "南山区/总部")
        stdout.write(f"  {username:<12} {full_name} · {post} · {where}")
