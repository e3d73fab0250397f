"""The duty supervisor's live board (``queue.supervise``): queues, counters with their BIZ-2.2 clocks, totals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from halls.models import Hall
from staff.access import require, user_can


def _context(request, hall_id: int) -> dict:
    from queueing.selectors import queue_snapshot

    hall = get_object_or_404(Hall.objects.for_user(request.user), pk=hall_id)
    require(request.user, "queue.supervise", hall)
    snap = queue_snapshot(hall=hall)
    for c in snap["counters"]:
        t = c["ticket"]
        c["state"] = (
            "closed"
            if c["status"] == "closed"
            else "paused"
            if c["status"] == "paused"
            else ("busy" if t else "idle")
        )
        c["over"] = bool(t and t["clock"] == "red")
    return {
        "hall": hall,
        "snap": snap,
        "over_count": sum(1 for c in snap["counters"] if c["over"]),
        "can_declare": user_can(request.user, "emergency.declare", hall),
    }


@login_required
@require_GET
def board(request, hall_id: int):
    return render(request, "floor/board.html", _context(request, hall_id))


@login_required
@require_POST
def board_display_test(request, hall_id: int):
    """Send a test signal to the hall's displays (each shows the time it arrived)."""
    from floor.services import display_test

    hall = get_object_or_404(Hall.objects.for_user(request.user), pk=hall_id)
    display_test(user=request.user, hall=hall)
    messages.success(request, _("测试信号已发送，请查看各叫号屏右上角"))
    return redirect("floor:board", hall_id=hall.pk)


@login_required
@require_GET
def board_panel(request, hall_id: int):
    return render(request, "floor/_board_panel.html", _context(request, hall_id))
