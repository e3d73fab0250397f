from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        _("上门服务预约"),
        "visits:book",
        "visit.book",
        _("特殊客户服务"),
        _("行动不便或集团客户的上门服务"),
        60,
    ),
    MenuItem(_("上门服务"), "visits:list", "visit.book", _("特殊客户服务"), _("确认、授权、派员与结果"), 61),
    MenuItem(_("我的上门任务"), "visits:mine", "visit.perform", _("特殊客户服务"), _("派给我的上门服务"), 62),
]
