from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        label=_("客户查询"),
        url_name="privacy:customers",
        capability="customer.view",
        group=_("客户"),
        description=_("按手机号查询客户（脱敏显示）"),
        order=30,
    ),
    MenuItem(
        label=_("个人信息访问审计"),
        url_name="privacy:audit",
        capability="audit.view",
        group=_("管理"),
        description=_("谁在何时因何查看了哪项个人信息"),
        order=85,
    ),
]
