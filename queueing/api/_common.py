"""Shared pieces of the queue API: the router, auth lists, error and ticket schemas, hall/counter/ticket look-ups."""

from __future__ import annotations

import copy
import functools
import re
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from halls.models import Counter, Hall
from integrations.models import ApiToken
from lib import rows
from lib.errors import Forbidden, NotFound, ServiceError
from queueing.hotpath.ops import counter_row
from queueing.models import Ticket
from staff.access import may_see_hall, require

router = Router()


class QueueErrorOut(Schema):
    code: str
    message: str
    message_en: str
    field: str | None = None
    opens_at: datetime | None = None  # hall_closed: when the hall opens (the kiosk's rule, queueing.opening)


ERRORS = {
    400: QueueErrorOut,
    401: QueueErrorOut,
    403: QueueErrorOut,
    404: QueueErrorOut,
    409: QueueErrorOut,
    422: QueueErrorOut,
}


class BusinessOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    category: str
    prefix: str = Field(..., alias="ticket_prefix")


class TicketOut(Schema):
    id: int
    number: str
    status: str
    business_type_id: int
    business: str
    priority_kind: str
    green_channel: bool
    needs_accompaniment: bool
    needs_form_help: bool
    needs_low_counter: bool
    counter: int | None = None
    recall_count: int
    issued_at: datetime
    arrival_at: datetime
    called_at: datetime | None = None
    started_at: datetime | None = None
    confirmed_at: datetime | None = None
    finished_at: datetime | None = None
    estimated_wait_minutes: int | None = None
    clock: str
    seconds_left: int | None = None
    limit_minutes: int | None = None
    within_limit: bool | None = None
    outcome: str
    public_token: str
    mobile_url: str


_TOKEN = re.compile(
    r"^[A-Za-z0-9_-]+$"
)  # what new_public_token makes: nothing in it that reverse() would quote


@functools.lru_cache(maxsize=16)
def _mobile_url_around(prefix: str, urlconf: str) -> tuple[str, str]:
    """The mobile page's URL before and after the token, per script prefix: every ticket answer carries this URL,
    and reverse() per answer was a measurable share of it (docs/performance.md)."""
    from django.urls import reverse

    marker = "TOKEN0marker"
    head, tail = reverse("queueing:mobile_ticket", args=[marker]).split(marker)
    return head, tail


def mobile_url(token: str) -> str:
    from django.conf import settings
    from django.urls import get_script_prefix, reverse

    if not _TOKEN.match(token):
        return reverse("queueing:mobile_ticket", args=[token])
    head, tail = _mobile_url_around(get_script_prefix(), settings.ROOT_URLCONF)
    return f"{head}{token}{tail}"


def ticket_out(t: Ticket) -> dict:
    clk = t.clock()
    return {
        "id": t.pk,
        "number": t.number,
        "status": t.status,
        "business_type_id": t.business_type_id,
        "business": t.business_type.name,
        "priority_kind": t.priority_kind,
        "green_channel": t.green_channel,
        "needs_accompaniment": t.needs_accompaniment,
        "needs_form_help": t.needs_form_help,
        "needs_low_counter": t.needs_low_counter,
        "counter": t.counter.number if t.counter_id else None,
        "recall_count": t.recall_count,
        "issued_at": t.issued_at,
        "arrival_at": t.arrival_at,
        "called_at": t.called_at,
        "started_at": t.started_at,
        "confirmed_at": t.confirmed_at,
        "finished_at": t.finished_at,
        "estimated_wait_minutes": t.estimated_wait_minutes,
        "clock": clk.state,
        "seconds_left": clk.seconds_left,
        "limit_minutes": clk.limit_minutes,
        "within_limit": t.within_limit,
        "outcome": t.outcome,
        "public_token": t.public_token,
        "mobile_url": mobile_url(t.public_token),
    }


def _user(request):
    auth = request.auth
    return auth if isinstance(auth, AbstractBaseUser) else None


def _device(request, kinds: set[str]) -> ApiToken | None:
    auth = request.auth
    if isinstance(auth, ApiToken):
        if auth.kind not in kinds:
            raise Forbidden("wrong_device", _("该设备令牌不能执行此操作"))
        return auth
    return None


def _hall_from(
    request, hall_id: int | None, *, kinds: set[str], capability: str
) -> tuple[Hall, object | None]:
    """The hall of a device token (a different ``hall_id`` is refused), or a hall the staff member may act in."""
    token = _device(request, kinds)
    if token is not None:
        if hall_id is not None and hall_id != token.hall_id:
            raise Forbidden("other_hall_token", _("设备令牌不属于该营业厅"))
        return token.hall, None
    user = _user(request)
    if hall_id is None:
        raise ServiceError("hall_required", _("请指定营业厅"), field="hall_id")
    hall = Hall.objects.for_user(user).filter(pk=hall_id).first()
    if hall is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    require(user, capability, hall)
    return hall, user


def _counter(request, counter_id: int) -> tuple[Counter, object]:
    user = _user(request)
    counter = Counter.objects.for_user(user).filter(pk=counter_id).first()
    if counter is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    require(user, "queue.serve", counter.hall_id)
    return counter, user


def _counter_to_call(request, counter_id: int) -> tuple[Counter, object]:
    """``_counter`` for call-next, from the per-process counter memo the hot path keeps (``ops.counter_row``; one
    statement less per call, issue 14). The memo only answers which hall the counter belongs to, for the same
    not-found / forbidden checks: ``ticket_call_next`` re-reads the whole counter row under its lock
    (``_lock_counter``) and calls by that."""
    user = _user(request)
    row = counter_row(counter_id)
    if row is None or not may_see_hall(user, row.hall_id):
        raise NotFound("not_found", _("记录不存在或无权查看"))
    require(user, "queue.serve", row.hall_id)
    return copy.copy(row), user  # the service updates its counter in place; the memoised row stays as read


def _ticket_or_none(request, ticket_id: int) -> Ticket | None:
    """The ticket with its business type and counter (not the hall: the services need its id only), if the user
    may see its hall. Read by a statement built once per process (``lib.rows``): start, finish and every other
    counter action read it, and the ORM compiled the same joined SELECT on every request (issue 14)."""
    ticket = rows.by_pk(Ticket, ticket_id, related=("business_type", "counter"))
    return ticket if ticket is not None and may_see_hall(_user(request), ticket.hall_id) else None


def _ticket(request, ticket_id: int) -> Ticket:
    ticket = _ticket_or_none(request, ticket_id)
    if ticket is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return ticket


def _counter_ticket(request, counter_id: int, ticket_id: int) -> tuple[Counter, Ticket, object]:
    """The counter and its ticket, scoped like ``_counter`` and ``_ticket``. The ticket's row brings its counter
    (joined), so the usual case — this counter's own ticket, the counter in a hall the user may see — costs one
    statement, not two (issue 14); anything else takes the two look-ups in their order, with their errors."""
    user = _user(request)
    ticket = _ticket_or_none(request, ticket_id)
    if ticket is not None and ticket.counter_id == counter_id:
        if may_see_hall(user, ticket.counter.hall_id):
            require(user, "queue.serve", ticket.counter.hall_id)
            return ticket.counter, ticket, user
    counter, user = _counter(request, counter_id)
    ticket = _ticket(request, ticket_id)
    if ticket.counter_id != counter.pk:
        raise Forbidden("not_this_counter", _("该号码不在本窗口办理"))
    return counter, ticket, user
