"""Maintenance plans and their occurrences (ENV-2.1): generated ahead by one idempotent sweep, done against a frozen
checklist copy, due/overdue on the SLA engine, a failed item opening a fault."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities import recurrence
from facilities.models import (
    Facility,
    FacilityKind,
    FacilityStatus,
    FaultSource,
    MaintenancePlan,
    Occurrence,
    OccurrenceStatus,
)
from facilities.services._common import checked_photos, files_guard, store_photo, text
from lib.errors import Conflict, ServiceError
from sla.models import Target
from sla.services import clock_meet, clock_start
from staff.access import require
from standard.services import standard_in_force

NEVER = datetime(9999, 12, 31, tzinfo=ZoneInfo("UTC"))
# A plan made or changed long ago is not replayed further back than this when it is regenerated.
MAX_BACKFILL = timedelta(days=31)
MAX_ITEMS = 30
# Plans generated per transaction (bounded memory and lock time; each batch is idempotent on its own).
PLANS_PER_BATCH = 2000
ANSWERS = {"pass", "fail", "na"}


def _clean_checklist(items) -> list[dict]:
    if not isinstance(items, list) or not items:
        raise ServiceError("checklist_required", _("请至少填写一个检查项"), field="checklist")
    if len(items) > MAX_ITEMS:
        raise ServiceError("checklist_too_long", _("检查项不能超过30项"), field="checklist")
    out, keys = [], set()
    for i, item in enumerate(items, 1):
        if isinstance(item, str):
            item = {"label": item}
        if not isinstance(item, dict):
            raise ServiceError("checklist_invalid", _("检查项格式不正确"), field="checklist")
        label = text(item.get("label"), field="checklist", max_length=100, required=True)
        kind = item.get("type") or "check"
        key = str(item.get("key") or f"k{i}")[:40]
        if key in keys:
            raise ServiceError("checklist_invalid", _("检查项格式不正确"), field="checklist")
        keys.add(key)
        clean = {"key": key, "label": label, "type": kind}
        if kind == "number":
            try:
                lo = None if item.get("min") in (None, "") else float(item["min"])
                hi = None if item.get("max") in (None, "") else float(item["max"])
            except (TypeError, ValueError):
                raise ServiceError(
                    "checklist_range", _("数值检查项的范围须为数字"), field="checklist"
                ) from None
            if lo is not None and hi is not None and lo > hi:
                raise ServiceError("checklist_range", _("数值检查项的下限不能大于上限"), field="checklist")
            clean |= {"min": lo, "max": hi, "unit": str(item.get("unit") or "")[:16]}
        elif kind != "check":
            raise ServiceError("checklist_invalid", _("检查项格式不正确"), field="checklist")
        out.append(clean)
    return out


def _target_fields(hall, facility, kind: str):
    if (facility is None) == (not kind):
        raise ServiceError("plan_target", _("请选择一个设施或一类设施"), field="facility")
    if facility is not None and facility.hall_id != hall.pk:
        raise ServiceError("facility_invalid", _("设施不属于本厅"), field="facility")
    if kind and kind not in FacilityKind.values:
        raise ServiceError("kind_invalid", _("设施类型不正确"), field="kind")
    return facility, kind or ""


def plan_create(
    *, user, hall, title: str, rrule: str, dtstart: datetime, checklist, facility=None, kind: str = ""
) -> MaintenancePlan:
    require(user, "facility.manage", hall)
    facility, kind = _target_fields(hall, facility, kind)
    if dtstart is None or timezone.is_naive(dtstart):
        raise ServiceError("dtstart_invalid", _("请填写带时区的起始时间"), field="dtstart")
    plan = MaintenancePlan(
        hall=hall,
        title=text(title, field="title", max_length=100, required=True),
        facility=facility,
        kind=kind,
        rrule=recurrence.normalise(rrule),
        dtstart=dtstart,
        checklist=_clean_checklist(checklist),
        created_by=user,
        updated_at=timezone.now(),
    )
    with transaction.atomic():
        plan.save()
    return plan


def plan_update(
    *, user, plan: MaintenancePlan, title=None, rrule=None, dtstart=None, checklist=None, is_active=None
):
    """A change of rule or checklist makes a new version: only future open occurrences are replaced; what is
    due now, done or overdue keeps the copy it was generated with (OCA #593: one place computes the schedule)."""
    require(user, "facility.manage", plan.hall)
    now = timezone.now()
    changes: dict = {}
    if title is not None:
        changes["title"] = text(title, field="title", max_length=100, required=True)
    if rrule is not None:
        changes["rrule"] = recurrence.normalise(rrule)
    if dtstart is not None:
        if timezone.is_naive(dtstart):
            raise ServiceError("dtstart_invalid", _("请填写带时区的起始时间"), field="dtstart")
        changes["dtstart"] = dtstart
    if checklist is not None:
        changes["checklist"] = _clean_checklist(checklist)
    if is_active is not None:
        changes["is_active"] = bool(is_active)
    with transaction.atomic():
        locked = MaintenancePlan.objects.select_for_update().get(pk=plan.pk)
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.version += 1
        locked.updated_at = now
        locked.generate_from = None
        locked.save()
        Occurrence.objects.filter(plan=locked, status=OccurrenceStatus.OPEN, window_start__gt=now).delete()
        if locked.is_active:
            _generate([locked], now=now)
    return locked


def _settings(now):
    std = standard_in_force(at=now)
    return (
        timedelta(days=float(std.get("facility.horizon_days", 14))),
        timedelta(hours=float(std.get("facility.check_window_hours", 24))),
    )


_COLUMNS = "hall_id, plan_id, facility_id, plan_version, window_start, window_end, checklist"


def _insert_occurrences(rows: list[tuple]) -> None:
    """Insert (hall, plan, facility, version, start, end, checklist JSON) rows, skipping those that exist. On
    PostgreSQL through COPY into a temporary table and one INSERT … SELECT … ON CONFLICT DO NOTHING: the ORM's
    bulk_create spent most of the pass binding parameters in Python (docs/performance.md)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Occurrence.objects.bulk_create(
            [
                Occurrence(
                    hall_id=h,
                    plan_id=p,
                    facility_id=f,
                    plan_version=v,
                    window_start=start,
                    window_end=end,
                    checklist=json.loads(checklist),
                )
                for h, p, f, v, start, end, checklist in rows
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        return
    table = connection.ops.quote_name(Occurrence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS facilities_occurrence_load (hall_id bigint, plan_id bigint,"
            " facility_id bigint, plan_version integer, window_start timestamptz, window_end timestamptz,"
            " checklist text) ON COMMIT DELETE ROWS"
        )
        with cursor.cursor.copy(f"COPY facilities_occurrence_load ({_COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({_COLUMNS}, status, clock_started, answers, passed, note)"
            " SELECT hall_id, plan_id, facility_id, plan_version, window_start, window_end, checklist::jsonb,"
            " %s, false, '{}'::jsonb, NULL, '' FROM facilities_occurrence_load"
            " ON CONFLICT (plan_id, facility_id, window_start) DO NOTHING",
            [OccurrenceStatus.OPEN],
        )
        cursor.execute("DELETE FROM facilities_occurrence_load")


def _generate(plans, *, now) -> int:
    horizon_span, window = _settings(now)
    horizon = now + horizon_span
    by_kind: dict[tuple[int, str], list[tuple[int, datetime]]] = {}
    kinds = {(p.hall_id, p.kind) for p in plans if p.kind}
    if kinds:
        qs = Facility.objects.exclude(status=FacilityStatus.RETIRED).filter(
            hall_id__in={h for h, _k in kinds}, kind__in={k for _h, k in kinds}
        )
        for fid, hall_id, kind, created in qs.values_list("pk", "hall_id", "kind", "created_at"):
            by_kind.setdefault((hall_id, kind), []).append((fid, created))
    single = {
        f.pk: (f.pk, f.created_at)
        for f in Facility.objects.exclude(status=FacilityStatus.RETIRED).filter(
            pk__in={p.facility_id for p in plans if p.facility_id}
        )
    }
    rows, cursors = [], []
    for plan in plans:
        if plan.kind:
            targets = by_kind.get((plan.hall_id, plan.kind), [])
        else:
            targets = [single[plan.facility_id]] if plan.facility_id in single else []
        # A new plan includes the window already open when it was made; a changed plan only what starts after the
        # change (the open window keeps the occurrence of the previous version).
        made = plan.updated_at - (window if plan.version == 1 else timedelta(0))
        lower = plan.generate_from or max(made, now - MAX_BACKFILL)
        starts = recurrence.between(plan.rrule, plan.dtstart, lower, horizon)
        following = recurrence.next_after(plan.rrule, plan.dtstart, horizon)
        checklist = json.dumps(plan.checklist, ensure_ascii=False) if starts and targets else ""
        for start in starts:
            for fid, created in targets:
                if plan.generate_from is None and start + window <= created:
                    continue  # a facility registered later owes no check whose window closed before it existed
                rows.append((plan.hall_id, plan.pk, fid, plan.version, start, start + window, checklist))
        cursors.append((plan, following or NEVER))
    with transaction.atomic():
        # ON CONFLICT DO NOTHING on (plan, facility, window_start): concurrent sweeps and re-runs never duplicate.
        _insert_occurrences(rows)
        # One UPDATE per distinct (next start, version) — plans from the same template share it; conditional on the
        # version, so a plan changed meanwhile keeps its NULL cursor and is regenerated by the next pass.
        groups: dict[tuple, list[int]] = {}
        for plan, nxt in cursors:
            groups.setdefault((nxt, plan.version), []).append(plan.pk)
        for (nxt, version), ids in groups.items():
            for i in range(0, len(ids), 1000):
                MaintenancePlan.objects.filter(pk__in=ids[i : i + 1000], version=version).update(
                    generate_from=nxt
                )
    return len(rows)


def _start_clocks(now, limit: int = 1000) -> int:
    started = 0
    due = list(
        Occurrence.objects.filter(status=OccurrenceStatus.OPEN, clock_started=False, window_start__lte=now)
        .select_related("hall")
        .order_by("window_start")[:limit]
    )
    for occ in due:
        with transaction.atomic():
            if not Occurrence.objects.filter(pk=occ.pk, clock_started=False).update(clock_started=True):
                continue  # another worker has it
            clock_start(subject=occ, target=Target.FACILITY_CHECK, hall=occ.hall, started_at=occ.window_start)
            started += 1
    return started


def maintenance_sweep(*, now: datetime | None = None) -> dict:
    """One idempotent pass: drop future open occurrences of superseded plan versions, generate what the horizon
    needs, start the due clock of every window that has opened. A second pass at the same moment writes nothing."""
    now = now or timezone.now()
    horizon_span, _window = _settings(now)
    stale = Occurrence.objects.filter(status=OccurrenceStatus.OPEN, window_start__gt=now).filter(
        ~Q(plan_version=F("plan__version")) | Q(plan__is_active=False)
    )
    removed = stale.delete()[0] if stale.exists() else 0
    plans = list(
        MaintenancePlan.objects.filter(is_active=True).filter(
            Q(generate_from__isnull=True) | Q(generate_from__lte=now + horizon_span)
        )
    )
    created = sum(
        _generate(plans[i : i + PLANS_PER_BATCH], now=now) for i in range(0, len(plans), PLANS_PER_BATCH)
    )
    return {"plans": len(plans), "generated": created, "removed": removed, "clocks": _start_clocks(now)}


def _answer(item: dict, raw) -> tuple[dict, bool]:
    """(stored answer, failed?) for one frozen item; bad input raises."""
    if item["type"] == "number":
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ServiceError(
                "answer_number", _("「%(item)s」须填写数字") % {"item": item["label"]}, field=item["key"]
            ) from None
        if math.isnan(value) or math.isinf(value):
            raise ServiceError(
                "answer_number", _("「%(item)s」须填写数字") % {"item": item["label"]}, field=item["key"]
            )
        lo, hi = item.get("min"), item.get("max")
        failed = (lo is not None and value < lo) or (hi is not None and value > hi)
        return {"value": value, "result": "fail" if failed else "pass"}, failed
    if raw not in ANSWERS:
        raise ServiceError(
            "answer_required",
            _("请为「%(item)s」选择合格、不合格或不适用") % {"item": item["label"]},
            field=item["key"],
        )
    return {"result": raw}, raw == "fail"


def occurrence_complete(
    *, user, occurrence: Occurrence, answers: dict, photos: dict | None = None, note: str = ""
):
    """Record a check against its frozen checklist (who, when, each answer, photos). A failed item needs a photo
    and opens a fault on the facility. Completing early or late never moves another occurrence."""
    from facilities.services.faults import fault_report

    require(user, "facility.maintain", occurrence.hall_id)
    now = timezone.now()
    if occurrence.status != OccurrenceStatus.OPEN:
        raise Conflict("already_done", _("该检查已完成"))
    if now < occurrence.window_start:
        raise ServiceError("not_due_yet", _("该检查尚未到期，不能提前完成"), field="answers")
    answers = answers if isinstance(answers, dict) else {}
    photos = photos or {}
    stored_answers, failed_items, checked = {}, [], {}
    for item in occurrence.checklist:
        stored, failed = _answer(item, answers.get(item["key"]))
        stored_answers[item["key"]] = stored
        if failed:
            failed_items.append(item)
            files = photos.get(item["key"])
            files = files if isinstance(files, list) else [files] if files else []
            if not files:
                raise ServiceError(
                    "photo_required",
                    _("「%(item)s」不合格，请拍照留证") % {"item": item["label"]},
                    field=item["key"],
                )
            checked[item["key"]] = checked_photos(files, field=item["key"])
    note = text(note, field="note", max_length=500)
    with files_guard() as stored_files, transaction.atomic():
        changed = Occurrence.objects.filter(pk=occurrence.pk, status=OccurrenceStatus.OPEN).update(
            status=OccurrenceStatus.DONE,
            completed_at=now,
            completed_by=user,
            answers=stored_answers,
            passed=not failed_items,
        )
        if not changed:
            raise Conflict("already_done", _("该检查已完成"))
        occurrence.refresh_from_db()
        if note:
            occurrence.note = note
            occurrence.save(update_fields=["note"])
        for key, items in checked.items():
            for item in items:
                store_photo(
                    item,
                    hall_id=occurrence.hall_id,
                    user=user,
                    stored=stored_files,
                    occurrence=occurrence,
                    item_key=key,
                )
        clock_meet(subject=occurrence, target=Target.FACILITY_CHECK, at=now, actor=user)
        if failed_items:
            labels = "、".join(i["label"] for i in failed_items)
            fault_report(
                facility=occurrence.facility,
                reported_by=user,
                description=str(
                    _("%(plan)s 检查不合格：%(items)s") % {"plan": occurrence.plan.title, "items": labels}
                ),
                source=FaultSource.CHECKLIST,
                occurrence=occurrence,
            )
    return occurrence
