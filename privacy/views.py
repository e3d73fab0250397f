"""Customer pages (BIZ-3): masked list and phone look-up, audited reveal, and the access audit for auditors."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from halls.models import Hall
from lib.errors import ServiceError
from privacy.forms import AUDIT_COLUMNS, FIELD_LABELS, AuditFilterForm, PhoneSearchForm, RevealForm
from privacy.models import Customer, PIAccessLog
from privacy.services import customer_find_by_phone, pi_reveal
from staff.access import require, user_can
from staff.web import client_ip

LIST_LIMIT = 100


def _customers(user):
    return Customer.objects.for_user(user).filter(anonymised_at__isnull=True).select_related("hall")


@login_required
def customer_list(request):
    """GET: the most recent customers, masked. POST: look-up by phone through the blind index."""
    require(request.user, "customer.view")
    qs = _customers(request.user).order_by("-created_at")
    form = PhoneSearchForm(request.POST or None)
    searched = False
    if request.method == "POST" and form.is_valid():
        qs = customer_find_by_phone(mobile=form.cleaned_data["mobile"], queryset=qs)
        searched = True
    # htmx picks #customer-search out of the full page (hx-select), so field errors stay next to the field.
    ctx = {"form": form, "customers": qs[:LIST_LIMIT], "searched": searched}
    return render(request, "privacy/customer_list.html", ctx)


def _detail(request, customer, *, form=None, revealed=None, status=200):
    return render(
        request,
        "privacy/customer_detail.html",
        {
            "customer": customer,
            "form": form or RevealForm(),
            "revealed": revealed,
            "can_reveal": user_can(request.user, "pi.reveal", customer.hall_id),
            "field_labels": FIELD_LABELS,
        },
        status=status,
    )


@login_required
def customer_detail(request, pk: int):
    customer = get_object_or_404(_customers(request.user), pk=pk)
    require(request.user, "customer.view", customer.hall_id)
    return _detail(request, customer)


@login_required
@require_POST
def customer_reveal(request, pk: int):
    """Shows one full value once; the response is not cached and a new reveal writes a new audit record."""
    customer = get_object_or_404(_customers(request.user), pk=pk)
    require(request.user, "pi.reveal", customer.hall_id)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _detail(request, customer, form=form)
    try:
        value = pi_reveal(
            user=request.user,
            obj=customer,
            field=form.cleaned_data["field"],
            reason=form.cleaned_data["reason"],
            ip_address=client_ip(request),
        )
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        return _detail(request, customer, form=form)
    response = _detail(
        request,
        customer,
        revealed={
            "field": form.cleaned_data["field"],
            "label": FIELD_LABELS[form.cleaned_data["field"]],
            "value": value,
        },
        form=RevealForm(),
    )
    response["Cache-Control"] = "no-store"
    return response


def _audit_queryset(request):
    require(request.user, "audit.view")
    halls = Hall.objects.for_user(request.user, "audit.view").order_by("code")
    form = AuditFilterForm(request.GET or None, halls=halls)
    qs = (
        PIAccessLog.objects.for_user(request.user, "audit.view")
        .select_related("user", "user__staff_profile", "hall")
        .order_by("-at")
    )
    if form.is_bound and form.is_valid():
        qs = form.filter(qs)
    elif form.is_bound:
        qs = qs.none()
    return form, qs


def _describe(logs) -> list:
    """Each log row as the auditor reads it: the record's label with a link (``complaints.complaint#14`` → 投诉
    TS-HA-…), the field's Chinese name （``contact_phone`` → 联系电话） and the viewer's name （员工号）."""
    from django.apps import apps

    objects: dict[tuple[str, str], object] = {}
    by_type: dict[str, set[str]] = {}
    for log in logs:
        by_type.setdefault(log.subject_type, set()).add(log.subject_id)
    models = {}
    for subject_type, ids in by_type.items():
        try:
            model = apps.get_model(subject_type)
        except (LookupError, ValueError):
            continue
        models[subject_type] = model
        pks = [i for i in ids if str(i).isdigit()]
        for obj in model._default_manager.filter(pk__in=pks):
            objects[(subject_type, str(obj.pk))] = obj
    for log in logs:
        model = models.get(log.subject_type)
        obj = objects.get((log.subject_type, str(log.subject_id)))
        kind = model._meta.verbose_name if model else log.subject_type
        label = getattr(obj, "sla_label", None) or getattr(obj, "number", None) if obj is not None else None
        log.subject_label = (
            f"{kind} {label}" if label else f"{kind}{_('（')}{_('编号')}{log.subject_id}{_('）')}"
        )
        log.subject_url = (
            obj.get_absolute_url() if obj is not None and hasattr(obj, "get_absolute_url") else ""
        )
        field_label = FIELD_LABELS.get(log.field)
        if field_label is None and model is not None:
            try:
                field_label = model._meta.get_field(log.field).verbose_name
            except Exception:
                field_label = log.field
        log.field_label = field_label or log.field
        profile = getattr(log.user, "staff_profile", None)
        log.person = (
            f"{profile.full_name}({profile.employee_number})"
            if profile is not None and profile.full_name
            else log.user.get_full_name() or log.user.username
        )
    return logs


@login_required
def audit_list(request):
    form, qs = _audit_queryset(request)
    logs = _describe(list(qs[:500]))
    return render(request, "privacy/audit_list.html", {"form": form, "logs": logs, "total": qs.count()})


@login_required
def audit_export(request, fmt: str):
    form, qs = _audit_queryset(request)
    if form.is_bound and not form.is_valid():
        return render(request, "privacy/audit_list.html", {"form": form, "logs": [], "total": 0}, status=400)
    headers = [str(label) for label, _get in AUDIT_COLUMNS]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    rows = (
        [
            timezone.localtime(get(log)).strftime("%Y-%m-%d %H:%M:%S") if i == 0 else get(log)
            for i, (_label, get) in enumerate(AUDIT_COLUMNS)
        ]
        for log in qs.iterator(chunk_size=500)
    )
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="pi-access-{stamp}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
        writer = csv.writer(response)
        writer.writerow(headers)
        writer.writerows(rows)
        return response
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("PIAccessLog")
    ws.append(headers)
    for row in rows:
        ws.append(row)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="pi-access-{stamp}.xlsx"'
    wb.save(response)
    return response
