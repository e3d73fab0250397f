"""Records (issue 3 §7): daily summary per hall and per clerk, as a page and an Excel workbook."""

from __future__ import annotations

import tempfile
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from halls.models import Hall
from queueing import clock
from queueing.models import Ticket
from queueing.reports import daily_summary, day_tickets
from staff.access import require, user_can


def _readable_halls(user) -> list[Hall]:
    """Halls whose records the user may read: a right held in one hall does not open another (mixed roles)."""
    return [
        h
        for h in Hall.objects.for_user(user).order_by("code")
        if user_can(user, "report.view", h) or user_can(user, "queue.supervise", h)
    ]


def _params(request) -> tuple[Hall, date, list[Hall]]:
    readable = _readable_halls(request.user)
    hall_id = request.GET.get("hall", "")
    if hall_id.isdigit():
        hall = Hall.objects.for_user(request.user).filter(pk=int(hall_id)).first()
    else:
        hall = readable[0] if readable else Hall.objects.for_user(request.user).order_by("code").first()
    if hall is None:
        raise Http404
    if hall not in readable:
        require(request.user, "report.view", hall)  # 403 (visible hall, no right)
    day = parse_date(request.GET.get("date", "") or "") or timezone.localdate(clock.now())
    return hall, day, readable


@login_required
def records(request):
    hall, day, halls = _params(request)
    summary = daily_summary(hall=hall, day=day)
    return render(
        request, "queueing/records.html", {"hall": hall, "day": day, "summary": summary, "halls": halls}
    )


@login_required
def records_export(request):
    """The workbook written row by row (openpyxl's write-only mode) into a temporary file that is then streamed:
    memory stays bounded whatever the number of tickets (a month's export included)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    hall, day, _halls = _params(request)
    summary = daily_summary(hall=hall, day=day)
    wb = Workbook(write_only=True)
    headers = [
        _("对象"),
        _("取号"),
        _("办结"),
        _("过号"),
        _("平均等候（分钟）"),
        _("平均办理（分钟）"),
        _("时限内办结率（%）"),
    ]

    def row(label, t):
        return [
            label,
            t["issued"],
            t["served"],
            t["no_show"],
            _m(t["avg_wait_seconds"]),
            _m(t["avg_handling_seconds"]),
            t["within_limit_pct"],
        ]

    def bold(values):
        cells = []
        for value in values:
            cell = WriteOnlyCell(ws, value=value)
            cell.font = Font(bold=True)
            cells.append(cell)
        return cells

    ws = wb.create_sheet(_("汇总"))
    ws.append([f"{hall.name} {day.isoformat()}"])
    ws.append(bold(headers))
    ws.append(row(hall.name, summary["hall"]))
    for c in summary["clerks"]:
        ws.append(row(c["name"], c["totals"]))
    detail = wb.create_sheet(_("明细"))
    detail.append(
        [
            _("号码"),
            _("业务"),
            _("状态"),
            _("窗口"),
            _("取号"),
            _("叫号"),
            _("开始"),
            _("办结"),
            _("时限"),
            _("在时限内"),
            _("结果"),
        ]
    )
    # Labels translated once, not once per row (gettext was a fifth of a 10k-ticket export).
    statuses = {value: str(label) for value, label in Ticket._meta.get_field("status").flatchoices}
    outcomes = {value: str(label) for value, label in Ticket._meta.get_field("outcome").flatchoices}
    yes_no = {True: _("是"), False: _("否")}
    for t in day_tickets(hall=hall, day=day):
        detail.append(
            [
                t.number,
                t.business_type.label,
                statuses.get(t.status, t.status),
                t.counter.number if t.counter_id else None,
                _t(t.issued_at),
                _t(t.first_called_at),
                _t(t.started_at),
                _t(t.finished_at),
                t.limit_minutes,
                yes_no.get(t.within_limit, ""),
                outcomes.get(t.outcome, t.outcome) if t.outcome else "",
            ]
        )
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    wb.save(out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"queue-{hall.code}-{day.isoformat()}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _m(seconds):
    return None if seconds is None else round(seconds / 60, 1)


def _t(value):
    return timezone.localtime(value).strftime("%H:%M:%S") if value else ""
