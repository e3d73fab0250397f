from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        label=_("业务办理指南"),
        url_name="catalog:list",
        capability="catalog.view",
        group=_("业务知识"),
        description=_("材料、流程、时限，一次告知"),
        order=20,
    ),
    MenuItem(
        label=_("规范用语与通俗说法"),
        url_name="catalog:glossary",
        capability="catalog.view",
        group=_("业务知识"),
        description=_("专业术语换成客户听得懂的话"),
        order=21,
    ),
]
