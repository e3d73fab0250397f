from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        _("客户评价"),
        "evaluations:index",
        "evaluation.view",
        _("服务监督"),
        _("满意度、参评率、低分原因与意见关键词"),
        60,
    ),
    MenuItem(
        _("我的评价"), "evaluations:index", "evaluation.own", _("服务监督"), _("本人的满意度与参评率"), 61
    ),
    MenuItem(
        _("差评回访"),
        "evaluations:follow_ups",
        "evaluation.follow_up",
        _("服务监督"),
        _("不满意评价的回访与结果"),
        62,
    ),
]
