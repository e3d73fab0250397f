"""Counter status: open, pause (with a reason), close (refused while a ticket is active)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from halls.models import Counter, CounterStatus
from lib.errors import Conflict, ServiceError
from queueing import clock
from queueing.models import (
    Ticket,
)
from queueing.services._common import (
    _counter_data,
    _lock_counter,
    _publish,
)
from staff.access import require

# --- counters ------------------------------------------------------------------------------------------------


def _forget_estimate_inputs(hall_id: int) -> None:
    """The wait estimate memoises the open counters for a few seconds; this process sees the change at once (and
    again after the commit: lib.memo)."""
    from queueing.selectors import forget_estimate_inputs

    forget_estimate_inputs(hall_id)


def _counter_set(counter: Counter, actor, *, status: str, reason: str = "", expected=None) -> Counter:
    require(actor, "queue.serve", counter.hall_id)
    with transaction.atomic():
        counter, state = _lock_counter(counter)
        if expected is not None and counter.status not in expected:
            raise Conflict("counter_state_changed", _("窗口状态已变化，请刷新后重试"))
        if status == CounterStatus.CLOSED and Ticket.objects.active().filter(counter_id=counter.pk).exists():
            raise Conflict("counter_busy", _("窗口还有正在办理的号码，请先办结"))
        Counter.objects.filter(pk=counter.pk).update(status=status, pause_reason=reason)
        counter.status, counter.pause_reason = status, reason
        state.clerk_id = None if status == CounterStatus.CLOSED else actor.pk
        state.changed_at = clock.now()
        state.save(update_fields=["clerk", "changed_at"])
        _publish(counter.hall_id, "counter.changed", _counter_data(counter))
        _forget_estimate_inputs(counter.hall_id)
    return counter


def counter_open(*, counter: Counter, actor, reason: str = "") -> Counter:
    return _counter_set(counter, actor, status=CounterStatus.OPEN)


def counter_pause(*, counter: Counter, actor, reason: str = "") -> Counter:
    """Pause calling (the current customer may still be finished); a reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", _("请填写暂停原因"), field="reason")
    return _counter_set(
        counter, actor, status=CounterStatus.PAUSED, reason=reason[:200], expected=[CounterStatus.OPEN]
    )


def counter_close(*, counter: Counter, actor, reason: str = "") -> Counter:
    return _counter_set(counter, actor, status=CounterStatus.CLOSED, reason=(reason or "")[:200])
