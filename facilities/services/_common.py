"""Helpers shared by the facilities services: evidence photos in private storage, status history, local days."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from complaints.evidence import check_files
from facilities.models import Facility, Photo, StatusChange
from lib.errors import Conflict, ServiceError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_day(at: datetime) -> date:
    return at.astimezone(SHANGHAI).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


def text(value, *, field: str, max_length: int, required: bool = False, code: str = "text_invalid") -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        raise ServiceError(code, _("输入内容格式不正确"), field=field)
    if required and not value:
        raise ServiceError(f"{field}_required", _("请填写此项"), field=field)
    if len(value) > max_length:
        raise ServiceError(
            f"{field}_too_long", _("内容过长（最多%(n)d个字）") % {"n": max_length}, field=field
        )
    return value


def checked_photos(files, *, field: str = "photo") -> list:
    """Content-sniffed and size-checked before anything is written (as complaint evidence is)."""
    try:
        return check_files(files)
    except ServiceError as exc:
        exc.field = field
        raise


def store_photo(item, *, hall_id: int, user, stored: list, **owner) -> Photo:
    photo = Photo(
        hall_id=hall_id,
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        original_name=item.original_name,
        uploaded_by=user,
        **owner,
    )
    photo.file.save(item.storage_name, item.upload, save=False)
    stored.append((photo.file.storage, photo.file.name))
    photo.save()
    return photo


@contextmanager
def files_guard():
    """Wrap the atomic block that stores files: if it fails, the files written for it are removed again."""
    stored: list = []
    try:
        yield stored
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise


def set_status(facility: Facility, to: str, *, expect: tuple, actor=None, reason: str = "", at=None) -> bool:
    """Conditional UPDATE of the facility's status plus a history row; False when it was not in ``expect``."""
    from django.utils import timezone

    at = at or timezone.now()
    current = Facility.objects.filter(pk=facility.pk).values_list("status", flat=True).first()
    changed = Facility.objects.filter(pk=facility.pk, status__in=expect).update(status=to)
    if not changed:
        return False
    StatusChange.objects.create(
        hall_id=facility.hall_id,
        facility=facility,
        from_status=current or "",
        to_status=to,
        at=at,
        actor=actor,
        reason=reason[:200],
    )
    facility.status = to
    return True


def conflict_if(cond: bool, code: str, message) -> None:
    if cond:
        raise Conflict(code, message)
