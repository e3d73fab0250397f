from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        _("服务自查"), "inspections:index", "inspection.view", _("服务监督"), _("每周自查与服务自查报告"), 60
    ),
    MenuItem(
        _("整改公示"), "inspections:board", "inspection.view", _("服务监督"), _("整改项、期限与验收"), 61
    ),
    MenuItem(
        _("班前会检查"),
        "inspections:appearance",
        "appearance.check",
        _("服务监督"),
        _("仪容仪表逐人检查"),
        62,
    ),
    MenuItem(
        _("服务规范问题"), "inspections:findings", "inspection.view", _("服务监督"), _("记入员工的问题"), 63
    ),
    MenuItem(
        _("神秘顾客暗访"), "inspections:visits", "inspection.view", _("服务监督"), _("暗访方案与报告"), 64
    ),
]
# Any signed-in user: external shoppers hold no role, and internal staff of another hall may be shoppers too.
ITEMS.append(
    MenuItem(_("我的暗访任务"), "inspections:my_visits", None, _("服务监督"), _("分配给我的暗访"), 65)
)
ITEMS.append(
    MenuItem(
        _("检查模板"),
        "inspections:templates",
        "inspection.template",
        _("服务监督"),
        _("检查项库与模板版本"),
        66,
    )
)
