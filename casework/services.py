"""What every case file's workflow shares (CMP, BIZ-2.1, BIZ-1.2): a gapless daily number per hall, status changes
by conditional UPDATE, one timeline writer labelled with its actor, free text checked the same way, and the audited
reveal of the contact. Complaints, consultations and home visits call these; so should every new case-like record
(docs/casework.md).
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.errors import Conflict, ServiceError
from privacy.services import pi_reveal

# Integration token kinds that may submit a case; the channel of the case is the token's kind.
TOKEN_KINDS = ("wecom", "app")


def actor_label(actor, token=None) -> str:
    """How the timeline names who acted: the staff member, else the integration, else the system."""
    if actor is not None:
        profile = getattr(actor, "staff_profile", None)
        return f"{profile.full_name} ({profile.employee_number})" if profile else actor.get_username()
    if token is not None:
        return f"{token.get_kind_display()} · {token.name}"
    return str(_("系统"))


def clean_text(value: str, code: str, message, field: str, *, min_len: int = 1, max_len: int = 4000) -> str:
    value = (value or "").strip()
    if len(value) < min_len:
        raise ServiceError(code, message, field=field)
    if len(value) > max_len:
        raise ServiceError(f"{field}_too_long", _("内容过长"), field=field)
    return value


def next_number(counter_model, *, prefix: str, hall, day) -> str:
    """``<prefix>-<hall code>-<yyyymmdd>-<seq>`` from a counter row incremented in the caller's transaction:
    gapless (no sequences), and the UPDATE's row lock serialises two intakes of the same hall and day."""
    counter_model.objects.get_or_create(hall=hall, day=day)
    counter_model.objects.filter(hall=hall, day=day).update(last=F("last") + 1)
    seq = counter_model.objects.get(hall=hall, day=day).last
    return f"{prefix}-{hall.code}-{day:%Y%m%d}-{seq:04d}"


def transition(obj, from_statuses, to: str, *, conflict_code: str, message, **fields):
    """Conditional UPDATE on the expected statuses; 0 rows means someone else moved the case first."""
    model = type(obj)
    updated = model._default_manager.filter(pk=obj.pk, status__in=list(from_statuses)).update(
        status=to, **fields
    )
    if updated != 1:
        raise Conflict(conflict_code, message)
    obj.refresh_from_db()
    return obj


def timeline_add(case, kind: str, *, actor=None, token=None, note: str = "", data=None, at=None):
    """Append one step to ``case``'s timeline (its ``events`` relation), in the caller's transaction: who acted
    (``actor_label``), when, a free-text note (stored encrypted) and structured data."""
    relation = type(case)._meta.get_field("events")
    return relation.related_model.objects.create(
        **{relation.field.name: case},
        hall_id=case.hall_id,
        kind=kind,
        at=at or timezone.now(),
        actor=actor,
        actor_label=actor_label(actor, token),
        note=note,
        data=data or {},
    )


def case_reveal(*, case, actor, field: str, reason: str, ip_address: str | None = None) -> str:
    """The full value of one of the case's ``PI_FIELDS``, once, to a holder of ``pi.reveal`` in the case's hall,
    with a reason; every reveal is an audit row (``privacy.services.pi_reveal`` → PIAccessLog)."""
    return pi_reveal(user=actor, obj=case, field=field, reason=reason, ip_address=ip_address, hall=case.hall)
