from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        label=_("引导台"),
        url_name="floor:greeter_home",
        capability="queue.greet",
        group=_("厅堂"),
        description=_("为客户取号、标记优先、过号重新激活"),
        order=29,
    ),
    # Only for those who can open more than the display preview: the card promises the board and emergency
    # mode (duty supervisor, hall manager); announcements show on the page for those who may publish them.
    MenuItem(
        label=_("厅堂现场"),
        url_name="floor:index",
        capability="queue.supervise",
        group=_("厅堂"),
        description=_("叫号屏、现场看板、应急模式"),
        order=30,
    ),
]
