"""Service standard pages (SUP-3): versions, parameters, side-by-side compare, and publishing for HQ."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.errors import ServiceError
from staff.access import require, user_can
from standard.forms import PublishForm
from standard.models import StandardVersion
from standard.services import standard_compare, standard_publish


def _in_force_id(at=None):
    at = at or timezone.now()
    return (
        StandardVersion.objects.filter(effective_from__lte=at)
        .order_by("-effective_from")
        .values_list("pk", flat=True)
        .first()
    )


@login_required
def version_list(request):
    # The standard is company-wide reference data: every staff role reads it.
    require(request.user, "catalog.view")
    versions = StandardVersion.objects.select_related("published_by").order_by("-effective_from")
    return render(
        request,
        "standard/version_list.html",
        {
            "versions": versions,
            "in_force_id": _in_force_id(),
            "can_publish": user_can(request.user, "standard.publish"),
        },
    )


@login_required
def version_detail(request, number: int):
    require(request.user, "catalog.view")
    version = get_object_or_404(StandardVersion, number=number)
    return render(
        request,
        "standard/version_detail.html",
        {"version": version, "parameters": version.parameters.all(), "in_force_id": _in_force_id()},
    )


@login_required
def compare(request):
    require(request.user, "catalog.view")
    versions = list(StandardVersion.objects.order_by("number"))
    left = right = None
    rows: list[dict] = []
    error = ""
    try:
        left_n = int(request.GET.get("left") or (versions[-2].number if len(versions) > 1 else 0))
        right_n = int(request.GET.get("right") or (versions[-1].number if versions else 0))
    except ValueError:
        left_n = right_n = 0
        error = _("请选择要对比的两个版本")
    by_number = {v.number: v for v in versions}
    left, right = by_number.get(left_n), by_number.get(right_n)
    if left and right:
        rows = standard_compare(left=left, right=right)
    elif versions and not error and (request.GET.get("left") or request.GET.get("right")):
        error = _("所选版本不存在")
    return render(
        request,
        "standard/compare.html",
        {"versions": versions, "left": left, "right": right, "rows": rows, "error": error},
    )


@login_required
def publish(request):
    require(request.user, "standard.publish")
    base = StandardVersion.objects.order_by("-effective_from").prefetch_related("parameters").first()
    form = PublishForm(request.POST or None, base=base)
    if request.method == "POST" and form.is_valid():
        try:
            version = standard_publish(
                number=form.cleaned_data["number"],
                title=form.cleaned_data["title"],
                effective_from=form.cleaned_data["effective_from"],
                notes=form.cleaned_data["notes"],
                parameters=form.parameters(),
                user=request.user,
            )
        except ServiceError as exc:
            param_field = "p__" + (exc.field or "").replace(".", "__")
            field = (
                exc.field if exc.field in form.fields else param_field if param_field in form.fields else None
            )
            form.add_error(field, str(exc.message))
        else:
            messages.success(request, _("已发布服务规范第%(n)d版") % {"n": version.number})
            return redirect("standard:detail", number=version.number)
    return render(request, "standard/publish.html", {"form": form, "base": base})
