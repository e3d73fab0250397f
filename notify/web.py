"""Who may read the outbox: hall managers, inspectors, HQ and auditors (recipients are shown masked only)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lib.errors import Forbidden, NotFound
from staff.access import hall_ids_for_user, user_can

OUTBOX_CAPABILITY = "notify.view"


def require_outbox(user, hall=None) -> None:
    hall_id = getattr(hall, "pk", hall)
    if hall_id is not None:
        visible = hall_ids_for_user(user)
        if visible is not None and hall_id not in visible:
            raise NotFound("not_found", _("记录不存在或无权查看"))
    if not user_can(user, OUTBOX_CAPABILITY, hall_id):
        raise Forbidden("forbidden", _("您没有执行此操作的权限"))
