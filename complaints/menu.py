from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        _("受理投诉"),
        "complaints:intake",
        "complaint.intake",
        _("投诉与咨询"),
        _("现场或电话投诉登记，出具回执"),
        40,
    ),
    MenuItem(
        _("投诉工单"), "complaints:list", "complaint.intake", _("投诉与咨询"), _("按时限排序的投诉列表"), 41
    ),
    MenuItem(
        _("投诉热点"), "complaints:hotspots", "report.view", _("投诉与咨询"), _("每月热点分析与导出"), 43
    ),
]
