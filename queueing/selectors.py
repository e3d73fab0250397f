"""Shared reads of the queue: hall snapshot, a ticket's position and estimated wait, recent calls, summaries.

    queue_snapshot(*, hall, now=None) -> dict
        {"waiting": [{"business_type_id", "prefix", "business", "business_en", "category", "count",
                      "longest_wait_seconds"}], "waiting_total": int,
         "counters": [{"id", "number", "label", "status", "pause_reason", "clerk", "ticket": None | {"id",
                       "number", "status", "business", "priority_kind", "green_channel", "needs_accompaniment",
                       "needs_form_help", "clock": "none|ok|amber|red", "seconds_left", "limit_minutes"}}],
         "totals": {"issued", "served", "no_show", "waiting", "avg_wait_seconds", "avg_handling_seconds",
                    "within_limit_pct"}}
    ticket_position(*, ticket, now=None) -> {"status", "ahead", "estimated_wait_minutes", "counter", ...}
    recent_calls(*, hall, limit=8) -> [{"number", "counter", "counter_label", "business", "recall", "at"}]
    estimate_wait(*, ticket, now=None) -> {"ahead", "servers", "mean_minutes", "minutes"}

Estimated wait (docs/queueing.md): people ahead ÷ open counters serving the business × recent mean service time
(call to finish, last 30 tickets of the hall today), falling back to the business's time limit.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Exists,
    FloatField,
    Func,
    Min,
    OuterRef,
    Q,
)
from django.utils import timezone

from halls.models import Counter, CounterStatus
from lib.memo import Memo
from lib.prepared import Many, Prepared
from queueing import clock
from queueing.models import ACTIVE_STATUSES, Ticket, TicketEvent, TicketEventKind, TicketStatus
from queueing.standard_memo import standard_at

CONSULTATION_FALLBACK_MINUTES = 5
RECENT_SAMPLE = 30


def _tier(ticket: Ticket, now) -> int:
    if ticket.green_channel:
        return 0
    if ticket.appt_window_start and ticket.appt_window_start <= now <= ticket.appt_window_end:
        return 1
    return 2 if ticket.priority_kind else 3


# Per-process memo (lib.memo) of the slow-moving inputs of the estimate (open counters with the businesses they
# serve and whether they are busy; the recent mean service time per category): four queries on every issue
# otherwise (docs/performance.md). An estimate may use inputs up to ESTIMATE_INPUT_TTL seconds old; a counter
# opened, paused, closed or re-configured in this process is seen at once. The simulated clock bypasses it.
ESTIMATE_INPUT_TTL = 3.0


def _counter_scope(instance):
    """A counter's own change forgets its hall; business types edited from their side forget every hall."""
    hall_id = getattr(instance, "hall_id", None) if isinstance(instance, Counter) else None
    return None if hall_id is None else (lambda key: key[1] == hall_id)


_inputs = Memo(
    "queueing.estimate_inputs",
    ttl=ESTIMATE_INPUT_TTL,
    maxsize=1_000,
    models=("halls.Counter", "halls.Counter_business_types"),
    scope=_counter_scope,
)


def _memoised(key: tuple, load):
    if clock.is_simulated():
        return load()
    return _inputs.get(key, load)


def forget_estimate_inputs(hall_id: int | None = None) -> None:
    _inputs.forget(None if hall_id is None else (lambda key: key[1] == hall_id))


def _open_counters(hall_id: int) -> list[tuple[int, bool, frozenset[int], bool]]:
    """(id, serves_all, business type ids, busy) of the hall's open counters."""

    def load():
        active = Ticket.objects.active().filter(counter_id=OuterRef("pk"))
        rows = (
            Counter.objects.filter(hall_id=hall_id, status=CounterStatus.OPEN)
            .annotate(busy=Exists(active))
            .values_list("pk", "serves_all", "busy")
        )
        types: dict[int, set[int]] = {}
        for counter_id, bt_id in Counter.business_types.through.objects.filter(
            counter__hall_id=hall_id, counter__status=CounterStatus.OPEN
        ).values_list("counter_id", "businesstype_id"):
            types.setdefault(counter_id, set()).add(bt_id)
        return [(pk, serves_all, frozenset(types.get(pk, ())), busy) for pk, serves_all, busy in rows]

    return _memoised(("counters", hall_id), load)


def open_counters_for(ticket: Ticket) -> tuple[list[tuple], set[int] | None]:
    """Open counters that can call this ticket ((id, serves_all, types, busy)), and the business types they serve
    (``None``: all)."""
    serving, competing, all_types = [], set(), False
    for c in _open_counters(ticket.hall_id):
        pk, serves_all, types, _busy = c
        if serves_all or ticket.business_type_id in types or pk == ticket.target_counter_id:
            serving.append(c)
            if serves_all:
                all_types = True
            competing |= types
    return serving, (None if all_types else competing | {ticket.business_type_id})


def mean_service_minutes(ticket: Ticket, now) -> float:
    category = ticket.business_type.category

    def load():
        recent = list(
            Ticket.objects.filter(
                hall_id=ticket.hall_id,
                service_date=ticket.service_date,
                status=TicketStatus.DONE,
                business_type__category=category,
                called_at__isnull=False,
            )
            .order_by("-finished_at")
            .values_list("called_at", "finished_at")[:RECENT_SAMPLE]
        )
        if len(recent) >= 3:
            return sum((f - c).total_seconds() for c, f in recent) / len(recent) / 60
        return None

    mean = _memoised(("mean", ticket.hall_id, ticket.service_date, category), load)
    if mean is not None:
        return mean
    limit = ticket.business_type.time_limit(standard_at(now))
    return float(limit or CONSULTATION_FALLBACK_MINUTES)


def ahead_queryset(
    has_pk: bool,
    tier: int,
    some_types: bool,
    *,
    hall_id,
    today,
    category,
    arrival_at,
    ticket_pk,
    now,
    competing,
):
    """The waiting customers ahead of a ticket, counted in one row (``n``): the queryset ``_AHEAD`` prepares.

    ``has_pk``: the ticket is already in the queue (else being issued); ``tier``: its calling tier (``_tier``);
    ``some_types``: the counters serving it serve only ``competing`` business types (else every type).

    Mirrored in queueing/hotpath/sql.py: ISSUE_SQL (people ahead); queueing/hotpath/sqlite_sql.py: ISSUE_AHEAD;
    queueing/hotpath/ops.py: issue reads the count from those statements."""
    qs = Ticket.objects.filter(hall_id=hall_id, service_date=today, status=TicketStatus.WAITING)
    if has_pk:
        qs = qs.exclude(pk=ticket_pk)
    # Count the customers of the same category competing for these counters: a 一窗通办 counter would otherwise make
    # every waiting customer "ahead" of everyone (measured: MAE 27 → see docs/queueing.md).
    qs = qs.filter(business_type__category=category)
    if some_types:
        qs = qs.filter(business_type_id__in=competing)
    if has_pk:
        ahead_q = Q(arrival_at__lt=arrival_at) | Q(arrival_at=arrival_at, pk__lt=ticket_pk)
    else:  # being issued: everyone already waiting arrived first
        ahead_q = Q(arrival_at__lte=arrival_at)
    higher = Q(green_channel=True) if tier > 0 else Q(pk__in=[])
    if tier > 1:
        higher |= Q(appt_window_start__lte=now, appt_window_end__gte=now)
    if tier > 2:
        higher |= ~Q(priority_kind="")
    # One row per hall (there is one): a plain SELECT that lib.prepared can compile, unlike ``count()``.
    return qs.filter(higher | ahead_q).order_by().values("hall_id").annotate(n=Count("pk")).values("n")


# Compiled once per shape and process (lib.prepared): building and compiling the count was about half of an
# issue's CPU on Django's path (issue 14, docs/performance.md).
_AHEAD = Prepared(
    ahead_queryset,
    inputs={
        "hall_id": int,
        "today": date,
        "category": str,
        "arrival_at": datetime,
        "ticket_pk": int,
        "now": datetime,
        "competing": Many(int),
    },
)


def estimate_wait(*, ticket: Ticket, now=None) -> dict:
    """People ahead ÷ open counters serving the business × recent mean service time (module docstring).

    Mirrored in queueing/hotpath/sql.py: ISSUE_SQL (people ahead); queueing/hotpath/ops.py: issue (the rest)."""
    now = now or clock.now()
    serving, competing = open_counters_for(ticket)
    shape = (ticket.pk is not None, _tier(ticket, now), competing is not None)
    sql, params = _AHEAD.statement(
        shape,
        hall_id=ticket.hall_id,
        today=ticket.service_date,
        category=ticket.business_type.category,
        arrival_at=ticket.arrival_at,
        ticket_pk=ticket.pk or 0,
        now=now,
        competing=sorted(competing or ()),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    ahead = row[0] if row is not None else 0  # no row: nobody ahead
    mean = mean_service_minutes(ticket, now)
    minutes = wait_minutes(ahead=ahead, serving=serving, mean=mean)
    return {"ahead": ahead, "servers": len(serving), "mean_minutes": round(mean, 1), "minutes": minutes}


def wait_minutes(*, ahead: int, serving: list[tuple], mean: float) -> int:
    """The estimate from its inputs: people ahead ÷ counters serving × mean service minutes, plus half a service
    when every one of those counters is busy (the first in line still waits for one of them to finish).

    Mirrored in queueing/hotpath/sql.py: ISSUE_SQL (PostgreSQL computes it in the insert) and
    queueing/hotpath/ops.py: issue (servers, residual); the SQLite hot path calls it."""
    servers = max(1, len(serving))
    busy = sum(1 for c in serving if c[3])
    residual = 0.5 if serving and busy >= len(serving) else 0.0
    return math.ceil((ahead / servers + residual) * mean) if (ahead or residual) else 0


def ticket_position(*, ticket: Ticket, now=None) -> dict:
    now = now or clock.now()
    data = {
        "status": ticket.status,
        "number": ticket.number,
        "ahead": None,
        "estimated_wait_minutes": None,
        "counter": ticket.counter.number if ticket.counter_id and ticket.counter else None,
        "counter_label": str(ticket.counter) if ticket.counter_id and ticket.counter else "",
    }
    if ticket.status == TicketStatus.WAITING:
        est = estimate_wait(ticket=ticket, now=now)
        data.update(ahead=est["ahead"], estimated_wait_minutes=est["minutes"], open_counters=est["servers"])
    return data


def _ticket_card(t: Ticket | None, now) -> dict | None:
    if t is None:
        return None
    clk = t.clock(now)
    return {
        "id": t.pk,
        "number": t.number,
        "status": t.status,
        "business": t.business_type.name,
        "business_en": t.business_type.name_en,
        "priority_kind": t.priority_kind,
        "green_channel": t.green_channel,
        "needs_accompaniment": t.needs_accompaniment,
        "needs_form_help": t.needs_form_help,
        "clock": clk.state,
        "seconds_left": clk.seconds_left,
        "limit_minutes": clk.limit_minutes,
        "called_at": t.called_at,
    }


def queue_snapshot(*, hall, now=None) -> dict:
    """Waiting per business with the longest wait, counters with their current ticket and clock, today's totals.
    Constant number of queries (guarded by a test)."""
    now = now or clock.now()
    today = timezone.localdate(now)
    hall_id = getattr(hall, "pk", hall)
    waiting_rows = (
        Ticket.objects.filter(hall_id=hall_id, service_date=today, status=TicketStatus.WAITING)
        .values(
            "business_type_id",
            "business_type__ticket_prefix",
            "business_type__name",
            "business_type__name_en",
            "business_type__category",
        )
        .annotate(count=Count("pk"), oldest=Min("arrival_at"))
        .order_by("business_type__ticket_prefix", "business_type__name")
    )
    waiting = [
        {
            "business_type_id": r["business_type_id"],
            "prefix": r["business_type__ticket_prefix"],
            "business": r["business_type__name"],
            "business_en": r["business_type__name_en"],
            "category": r["business_type__category"],
            "count": r["count"],
            "longest_wait_seconds": int((now - r["oldest"]).total_seconds()),
        }
        for r in waiting_rows
    ]
    counters = list(
        Counter.objects.filter(hall_id=hall_id)
        .select_related("queue_state__clerk__staff_profile")
        .order_by("number")
    )
    active = {
        t.counter_id: t
        # Hall and day, as the console: ticket_hall_day_status on both databases. By counter__hall_id SQLite could
        # not use the partial index (bound parameters never match its predicate) and scanned every ticket.
        for t in Ticket.objects.filter(
            hall_id=hall_id, service_date=today, status__in=ACTIVE_STATUSES
        ).select_related("business_type")
    }
    counter_rows = []
    for c in counters:
        state = getattr(c, "queue_state", None)
        clerk = state.clerk if state is not None else None
        profile = getattr(clerk, "staff_profile", None) if clerk else None
        counter_rows.append(
            {
                "id": c.pk,
                "number": c.number,
                "label": str(c),
                "status": c.status,
                "pause_reason": c.pause_reason,
                "calling_profile": c.profile_label(),  # BIZ-4: which work profile the counter runs
                "accessible": c.is_accessible,
                "clerk": (profile.full_name if profile else clerk.username) if clerk else "",
                "ticket": _ticket_card(active.get(c.pk), now),
            }
        )
    return {
        "at": now,
        "waiting": waiting,
        "waiting_total": sum(w["count"] for w in waiting),
        "counters": counter_rows,
        "totals": day_totals(hall_id=hall_id, day=today),
    }


def day_totals(*, hall_id: int, day, clerk_id: int | None = None) -> dict:
    qs = Ticket.objects.filter(hall_id=hall_id, service_date=day)
    if clerk_id is not None:
        qs = qs.filter(clerk_id=clerk_id)
    return totals_from(qs.aggregate(**day_aggregates()))


class Seconds(Func):
    """``end - start`` in seconds, computed by the database itself. On SQLite Django's ``F(end) - F(start)`` calls a
    Python function for every row (``django_timestamp_diff``), which made a busy day's aggregates slow
    (docs/performance.md, "Records, export and the SLA sweep")."""

    arity = 2
    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def day_aggregates() -> dict:
    """The aggregates of a day's totals, for ``aggregate`` (one hall) or ``values(...).annotate`` (per clerk)."""
    return {
        "issued": Count("pk"),
        "served": Count("pk", filter=Q(status=TicketStatus.DONE)),
        "no_show": Count("pk", filter=Q(no_show_at__isnull=False)),
        "waiting": Count("pk", filter=Q(status=TicketStatus.WAITING)),
        "timed": Count("pk", filter=Q(within_limit__isnull=False)),
        "within": Count("pk", filter=Q(within_limit=True)),
        "avg_wait": Avg(Seconds("first_called_at", "arrival_at"), filter=Q(first_called_at__isnull=False)),
        "avg_handling": Avg(
            Seconds("finished_at", "started_at"), filter=Q(status=TicketStatus.DONE, started_at__isnull=False)
        ),
    }


def totals_from(agg: dict) -> dict:
    return {
        "issued": agg["issued"],
        "served": agg["served"],
        "no_show": agg["no_show"],
        "waiting": agg["waiting"],
        "avg_wait_seconds": None if agg["avg_wait"] is None else int(round(float(agg["avg_wait"]), 3)),
        "avg_handling_seconds": None
        if agg["avg_handling"] is None
        else int(round(float(agg["avg_handling"]), 3)),
        "within_limit_pct": round(100 * agg["within"] / agg["timed"], 1) if agg["timed"] else None,
    }


def recent_calls(*, hall, limit: int = 8) -> list[dict]:
    hall_id = getattr(hall, "pk", hall)
    events = (
        TicketEvent.objects.filter(
            hall_id=hall_id,
            kind__in=[TicketEventKind.CALLED, TicketEventKind.RECALLED, TicketEventKind.RESUMED],
        )
        .select_related("ticket__business_type", "counter")
        .order_by("-at", "-pk")[:limit]
    )
    return [
        {
            "ticket_id": e.ticket_id,
            "number": e.ticket.number,
            "counter": e.counter.number if e.counter else None,
            "counter_label": str(e.counter) if e.counter else "",
            "business": e.ticket.business_type.name,
            "business_en": e.ticket.business_type.name_en,
            "recall": e.kind == TicketEventKind.RECALLED,
            "at": e.at,
        }
        for e in events
    ]


def waiting_list(*, hall, now=None, limit: int = 200) -> list[Ticket]:
    """The greeter's list: waiting, suspended and recent no-show tickets of today, in arrival order."""
    now = now or clock.now()
    return list(
        Ticket.objects.filter(
            hall_id=getattr(hall, "pk", hall),
            service_date=timezone.localdate(now),
            status__in=[TicketStatus.WAITING, TicketStatus.SUSPENDED, TicketStatus.NO_SHOW],
        )
        .select_related("business_type", "counter")
        .order_by("arrival_at", "pk")[:limit]
    )
