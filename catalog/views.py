"""Catalogue pages: business types, the 《业务办理指南》 (BIZ-1.1) on screen, printed and public, and the
standard phrases / plain-language glossary (STF-2) with search-as-you-type."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import cache_control

from catalog.models import BusinessCategory, BusinessType
from catalog.selectors import glossary_search, phrase_search, standard_or_none, time_limit_in_force
from staff.access import require


def _guide_context(bt: BusinessType) -> dict:
    standard = standard_or_none()
    return {
        "bt": bt,
        "materials": list(bt.materials.all()),
        "steps": bt.process_steps or [],
        "time_limit": time_limit_in_force(bt, standard),
        "standard_version": standard.version if standard is not None else None,
    }


def public_guide_url(bt: BusinessType) -> str:
    return settings.TINGWU_PUBLIC_BASE_URL.rstrip("/") + reverse("catalog:guide_public", args=[bt.code])


@login_required
def business_type_list(request):
    require(request.user, "catalog.view")
    types = BusinessType.objects.for_user(request.user).filter(is_active=True)
    groups = [
        {"label": label, "items": [bt for bt in types if bt.category == value]}
        for value, label in BusinessCategory.choices
    ]
    return render(request, "catalog/business_type_list.html", {"groups": groups})


@login_required
def guide(request, code: str):
    require(request.user, "catalog.view")
    bt = get_object_or_404(BusinessType.objects.for_user(request.user), code=code, is_active=True)
    return render(request, "catalog/guide.html", _guide_context(bt))


@login_required
def guide_print(request, code: str):
    require(request.user, "catalog.view")
    bt = get_object_or_404(BusinessType.objects.for_user(request.user), code=code, is_active=True)
    url = public_guide_url(bt)
    ctx = _guide_context(bt) | {
        "public_url": url,
        # Inline SVG: no image request, nothing to allow in the CSP, crisp on paper.
        "qr_svg": segno.make(url, error="m").svg_inline(scale=3, omitsize=False),
    }
    return render(request, "catalog/guide_print.html", ctx)


@cache_control(public=True, max_age=300)
def guide_public(request, code: str):
    """The electronic guide customers reach from the QR code: reference data only, no login, no personal data."""
    bt = get_object_or_404(BusinessType.objects.all(), code=code, is_active=True)
    return render(
        request, "catalog/guide_public.html", _guide_context(bt) | {"elder": request.GET.get("elder") == "1"}
    )


@login_required
def glossary(request):
    require(request.user, "catalog.view")
    q = (request.GET.get("q") or "").strip()[:100]
    ctx = {"q": q, "terms": glossary_search(query=q), "phrases": phrase_search(query=q)}
    if request.htmx:
        return render(request, "catalog/_glossary_results.html", ctx)
    return render(request, "catalog/glossary.html", ctx)
