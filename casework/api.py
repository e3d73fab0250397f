"""The case file's API pieces (/api/v1/complaints, /consultations, /visits): who is recording, and the one audited
reveal endpoint each case router mounts with ``add_reveal_route``."""

from __future__ import annotations

import inspect

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import Field

from halls.api import ErrorOut
from halls.models import Hall
from lib.errors import NotFound
from staff.web import api_staff_user, api_token, client_ip

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class RevealIn(Schema):
    """Shared by every case file: the case's declared PI field and the audited reason."""

    field: str = Field(
        ...,
        description="contact_phone / complainant_name (complaint) / customer_name (consultation, visit)"
        " / address (visit)",
    )
    reason: str = Field(
        "", max_length=255, description="查看原因（必填，记入审计）/ reason (required, audited)"
    )


class RevealOut(Schema):
    field: str
    value: str = Field(description="完整值，仅本次返回 / the full value, this response only")


def intake_caller(request, hall_code: str | None):
    """(hall, actor, token) of an intake: an integration token submits for its own hall, staff name a hall they
    can see (the service then checks their right there)."""
    token = api_token(request)
    if token is not None:
        return token.hall, None, token
    hall = Hall.objects.for_user(request.user).filter(code=hall_code or "").first()
    if hall is None:
        raise NotFound("hall_not_found", _("营业厅不存在或无权访问"))
    return hall, request.user, None


def add_reveal_route(
    router, *, param: str, fetch, reveal, summary: str, operation_id: str, description: str | None = None
):
    """Mount ``POST /{<param>}/reveal`` on a case router: a staff session only, the case found through
    ``fetch(request, user, case_id)`` (another hall's case is a 404), the value from the domain's audited service
    ``reveal(case=…, actor=…, field=…, reason=…, ip_address=…)``. The field and reason travel in the body, never in
    the URL; the answer must not be cached. ``param`` keeps each router's path parameter name in the OpenAPI."""

    def endpoint(request, response: HttpResponse, payload: RevealIn, **path):
        user = api_staff_user(request)
        case = fetch(request, user, path[param])
        value = reveal(
            case=case, actor=user, field=payload.field, reason=payload.reason, ip_address=client_ip(request)
        )
        response["Cache-Control"] = "private, no-store"
        return {"field": payload.field, "value": value}

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("response", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=HttpResponse),
        inspect.Parameter(param, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=int),
        inspect.Parameter("payload", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=RevealIn),
    ]
    endpoint.__signature__ = inspect.Signature(parameters)
    router.post(
        f"/{{{param}}}/reveal",
        response={200: RevealOut, **ERRORS},
        summary=summary,
        description=description,
        operation_id=operation_id,
    )(endpoint)
    return endpoint
