from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        _("环境与设施"),
        "facilities:index",
        None,
        _("厅堂"),
        _("设施维护、故障报修、每日三次清洁"),
        36,
    ),
]
