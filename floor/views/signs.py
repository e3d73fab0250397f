"""Printed signs (ENV-3): the poster of an announcement (A4 / A3) and the sign form (zone sign, business notice,
tariff board) — all drawn by ``floor.signs.sign_pdf``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from floor import signs
from floor.forms import SignForm
from floor.models import Announcement
from floor.views.manage import _hall


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@login_required
@require_GET
def announcement_poster(request, hall_id: int, pk: int):
    """The hall manager (who publishes the notices) prints the poster to post beside the screens."""
    hall = _hall(request, hall_id, "announcement.publish")
    announcement = get_object_or_404(Announcement.objects.for_user(request.user).for_hall(hall), pk=pk)
    size = request.GET.get("size", "A4")
    if size not in signs.SIZES:
        return HttpResponse(_("纸张只能是A4或A3"), status=400, content_type="text/plain; charset=utf-8")
    return _pdf(
        signs.announcement_poster_pdf(announcement, hall=hall, size=size), f"announcement-{pk}-{size}"
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign(request, hall_id: int):
    hall = _hall(request, hall_id, "announcement.publish")
    form = SignForm(request.POST or None, hall=hall)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        zone = data["zone"]
        return _pdf(
            signs.sign_pdf(
                hall_name=hall.name,
                zone_name=zone.name if zone else "",
                title=data["title"],
                text=data["text"],
                size=data["size"],
            ),
            f"{data['kind']}-{data['size']}",
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "floor/signs.html", {"hall": hall, "form": form}, status=status)
