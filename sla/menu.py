from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        label=_("时限看板"),
        url_name="sla:board",
        capability="sla.view",
        group=_("投诉与咨询"),
        description=_("即将到期和已超时的投诉、咨询时限"),
        order=45,
    ),
]
