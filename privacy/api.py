"""Customer look-up API (BIZ-3): by phone through the blind index, masked output only, staff sessions only.

The phone travels in a POST body, never in the URL (URLs end up in proxy and access logs)."""

from __future__ import annotations

from ninja import Router, Schema

from halls.api import error_responses
from privacy.models import Customer
from privacy.services import customer_find_by_phone, validate_phone
from staff.access import require
from staff.web import api_staff_user

router = Router()


class LookupIn(Schema):
    mobile: str


class CustomerOut(Schema):
    id: int
    hall_code: str
    masked_name: str
    masked_mobile: str
    is_priority: bool
    has_green_channel: bool


@router.post(
    "/lookup",
    response={200: list[CustomerOut], **error_responses(400, 403, 422)},
    summary="按手机号查询客户（脱敏） / Look up customers by phone (masked)",
)
def lookup(request, payload: LookupIn):
    user = api_staff_user(request)
    require(user, "customer.view")
    mobile = validate_phone(payload.mobile)
    qs = customer_find_by_phone(mobile=mobile, queryset=Customer.objects.for_user(user)).select_related(
        "hall"
    )
    return [
        {
            "id": c.pk,
            "hall_code": c.hall.code,
            "masked_name": c.masked_name,
            "masked_mobile": c.masked_mobile,
            "is_priority": c.is_priority,
            "has_green_channel": c.has_green_channel,
        }
        for c in qs[:20]
    ]
