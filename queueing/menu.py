from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        _("窗口叫号台"), "queueing:console_index", "queue.serve", _("现场"), _("叫号、办理计时、材料核对"), 10
    ),
    MenuItem(
        _("排队日报"), "queueing:records", "queue.supervise", _("现场"), _("按厅、按营业员的日汇总与导出"), 40
    ),
]
