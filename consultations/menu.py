from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tingwu.menu import MenuItem

ITEMS = [
    MenuItem(
        _("咨询登记"),
        "consultations:record",
        "consultation.intake",
        _("投诉与咨询"),
        _("现场无法即时解答的咨询，24小时内回复"),
        44,
    ),
    MenuItem(
        _("咨询工单"), "consultations:list", "consultation.intake", _("投诉与咨询"), _("待回复与线上咨询"), 45
    ),
]
