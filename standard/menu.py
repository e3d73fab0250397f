from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        label=_("服务规范"),
        url_name="standard:list",
        capability="catalog.view",
        group=_("业务知识"),
        description=_("规范版本、参数与版本对比"),
        order=22,
    ),
    MenuItem(
        label=_("发布规范新版本"),
        url_name="standard:publish",
        capability="standard.publish",
        group=_("管理"),
        description=_("复制最新版本，修改参数并设定生效时间"),
        order=80,
    ),
]
