from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        label=_("营业厅"),
        url_name="halls:list",
        group=_("基础资料"),
        description=_("功能区、窗口、营业时间与投诉渠道"),
        order=10,
    ),
    MenuItem(
        label=_("节假日安排"),
        url_name="halls:holidays",
        capability="standard.publish",
        group=_("基础资料"),
        description=_("法定节假日与调休上班日，按营业时间计算时限"),
        order=12,
    ),
]
