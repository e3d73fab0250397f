from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(_("服务质量考核"), "kpi:dashboard", "kpi.view", _("质量考核"), _("四项指标、趋势与明细"), 70),
    MenuItem(_("我的考核指标"), "kpi:dashboard", "kpi.own", _("质量考核"), _("本月与上月的个人指标"), 71),
    MenuItem(_("连续未达标"), "kpi:flags", "kpi.view", _("质量考核"), _("三个月规则：再培训或调岗"), 72),
    MenuItem(_("月度分析报告"), "kpi:pack", "kpi.view", _("质量考核"), _("上月报告、分析会与改进计划"), 73),
    MenuItem(_("流程优化登记"), "kpi:process", "kpi.view", _("质量考核"), _("季度流程优化及前后效果"), 74),
]
