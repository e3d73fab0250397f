from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        label=_("通知发件箱"),
        url_name="notify:outbox",
        capability="notify.view",
        group=_("投诉与咨询"),
        description=_("短信、企业微信和邮件通知的发送状态"),
        order=48,
    ),
]
