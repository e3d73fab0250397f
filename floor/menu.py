from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        label=_("厅堂现场"),
        url_name="floor:index",
        capability=None,
        group=_("厅堂"),
        description=_("叫号屏、公告、应急模式"),
        order=30,
    ),
]
