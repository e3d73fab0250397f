from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        _("我的培训"),
        "training:mine",
        "training.attend",
        _("业务培训"),
        _("本月培训、扫码签到与转岗培训"),
        70,
    ),
    MenuItem(
        _("培训场次"), "training:list", "training.manage", _("业务培训"), _("安排培训、资料、签到与测验"), 71
    ),
    MenuItem(
        _("培训覆盖"),
        "training:coverage",
        "report.view",
        _("业务培训"),
        _("每人每月参训情况与未参训名单"),
        72,
    ),
    MenuItem(
        _("转岗培训指派"),
        "training:retraining",
        "training.assign",
        _("业务培训"),
        _("连续不达标人员的转岗培训"),
        73,
    ),
]
