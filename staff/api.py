"""Staff API (read-only, staff sessions with ``staff.view``; devices are refused)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from halls.api import error_responses
from lib.errors import NotFound
from staff.access import require
from staff.selectors import staff_visible_to
from staff.web import api_staff_user

router = Router()


class AssignmentOut(Schema):
    hall_code: str
    role: str


class StaffOut(Schema):
    id: int
    username: str
    full_name: str
    employee_number: str
    post: str
    is_active: bool
    assignments: list[AssignmentOut]


def _out(p) -> dict:
    return {
        "id": p.pk,
        "username": p.user.username,
        "full_name": p.full_name,
        "employee_number": p.employee_number,
        "post": p.post,
        "is_active": p.user.is_active,
        "assignments": [{"hall_code": a.hall.code, "role": a.role} for a in p.user.hall_assignments.all()],
    }


def _visible(request):
    user = api_staff_user(request)
    require(user, "staff.view")
    return staff_visible_to(user)


@router.get("/", response={200: list[StaffOut], **error_responses(403)}, summary="员工列表 / Staff in scope")
def staff_list(request):
    return [_out(p) for p in _visible(request).order_by("employee_number")]


@router.get(
    "/{int:profile_id}", response={200: StaffOut, **error_responses(403, 404)}, summary="员工 / One staff"
)
def staff_detail(request, profile_id: int):
    profile = _visible(request).filter(pk=profile_id).first()
    if profile is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return _out(profile)
