from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        label=_("员工"),
        url_name="staff:list",
        capability="staff.view",
        group=_("基础资料"),
        description=_("员工名单与工牌打印"),
        order=12,
    ),
]
