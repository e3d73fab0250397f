"""Customer records and access to personal information (BIZ-3)."""

from __future__ import annotations

import re

from django.apps import apps
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from lib.errors import ServiceError
from privacy import crypto
from privacy.fields import EncryptedTextField
from privacy.logging import scrub
from privacy.models import Customer, PIAccessLog

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_RE = re.compile(r"^\d{17}[\dX]$")


def validate_phone(value: str, *, field: str = "mobile") -> str:
    phone = crypto.normalise("phone", value)
    if not PHONE_RE.match(phone):
        raise ServiceError("invalid_phone", _("手机号格式不正确，应为11位大陆手机号"), field=field)
    return phone


def validate_id_number(value: str, *, field: str = "id_number") -> str:
    idn = crypto.normalise("id", value)
    if not ID_RE.match(idn):
        raise ServiceError("invalid_id_number", _("身份证号格式不正确，应为18位"), field=field)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(idn[:17], weights, strict=True)) % 11]
    if idn[-1] != check:
        raise ServiceError("invalid_id_number", _("身份证号校验位不正确"), field=field)
    return idn


@transaction.atomic
def customer_create(
    *,
    hall,
    name: str,
    mobile: str,
    id_number: str = "",
    is_elderly: bool = False,
    is_disabled: bool = False,
    is_pregnant: bool = False,
    green_channel_agreement: str = "",
    green_channel_until=None,
    marketing_consent: bool = False,
) -> Customer:
    name = (name or "").strip()
    if not name:
        raise ServiceError("name_required", _("请填写客户姓名"), field="name")
    customer = Customer(
        hall=hall,
        name=name,
        mobile=validate_phone(mobile),
        id_number=validate_id_number(id_number) if id_number else "",
        is_elderly=is_elderly,
        is_disabled=is_disabled,
        is_pregnant=is_pregnant,
        green_channel_agreement=green_channel_agreement,
        green_channel_until=green_channel_until,
        marketing_consent=marketing_consent,
    )
    customer.save()
    return customer


def customer_find_by_phone(*, mobile: str, queryset=None):
    """Find customers by mobile number through the blind index (the number itself is never queried)."""
    qs = queryset if queryset is not None else Customer.objects.all()
    return qs.filter(mobile_index=crypto.blind_index("phone", mobile), anonymised_at__isnull=True)


def customer_find_by_id_number(*, id_number: str, queryset=None):
    qs = queryset if queryset is not None else Customer.objects.all()
    return qs.filter(id_index=crypto.blind_index("id", id_number), anonymised_at__isnull=True)


# The customer record's revealable fields (the customer pages offer these). Another model declares its own in a
# ``PI_FIELDS`` class attribute (e.g. a complaint's complainant name and contact phone).
REVEALABLE_FIELDS = {"name", "mobile", "id_number"}


def revealable_fields(obj) -> set[str]:
    """The fields of ``obj`` that ``pi_reveal`` may show: declared by the model and stored encrypted.

    Requiring both keeps a plain column or a blind index from ever passing as "personal information"."""
    declared = getattr(type(obj), "PI_FIELDS", REVEALABLE_FIELDS)
    encrypted = {f.name for f in obj._meta.concrete_fields if isinstance(f, EncryptedTextField)}
    return set(declared) & encrypted


@transaction.atomic
def pi_reveal(*, user, obj, field: str, reason: str, ip_address: str | None = None, hall=None) -> str:
    """Return the full value of one personal-information field, after checking the right and writing the audit."""
    from staff.access import require

    hall = hall if hall is not None else getattr(obj, "hall", None)
    require(user, "pi.reveal", hall)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError("reason_required", _("查看完整信息须填写原因"), field="reason")
    # Only the encrypted personal-information fields are revealable; anything else is a caller bug or probing.
    if field not in revealable_fields(obj) or getattr(obj, field, None) is None:
        raise ServiceError("unknown_field", _("该字段不可查看"), field="field")
    value = getattr(obj, field)
    PIAccessLog.objects.create(
        user=user,
        hall=hall,
        subject_type=obj._meta.label_lower,
        subject_id=str(obj.pk),
        field=field,
        # The reason is free text: a number typed into it must not sit in the audit table in clear.
        reason=scrub(reason)[:255],
        ip_address=ip_address,
    )
    return value


def encrypted_columns():
    """Every (model, field) pair stored with ``EncryptedTextField``, across all apps."""
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField):
                yield model, f


def keys_rotate(*, batch_size: int = 500, dry_run: bool = False) -> dict[str, int]:
    """Re-encrypt every value not under the primary key. Returns counts per model."""
    primary, _ring = crypto.key_ring()
    counts: dict[str, int] = {}
    for model, f in encrypted_columns():
        table, column, pk = model._meta.db_table, f.column, model._meta.pk.column
        qn = connection.ops.quote_name
        with connection.cursor() as cur:
            cur.execute(f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)}")  # noqa: S608 - identifiers quoted
            stale = [row[0] for row in cur.fetchall() if row[1] and crypto.key_id_of(row[1]) != primary]
        counts[f"{model._meta.label}.{f.name}"] = len(stale)
        if dry_run:
            continue
        for start in range(0, len(stale), batch_size):
            with transaction.atomic():
                for obj in model._default_manager.filter(pk__in=stale[start : start + batch_size]).only(
                    pk, f.attname
                ):
                    model._default_manager.filter(pk=obj.pk).update(**{f.attname: getattr(obj, f.attname)})
    return counts
