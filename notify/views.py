"""The outbox page for managers (CMP-1, CMP-3): every queued, sent and failed notice of their halls, with the
recipient masked and the error already scrubbed of personal information."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from halls.models import Hall
from notify.models import Channel, Notification, NotificationStatus
from notify.web import OUTBOX_CAPABILITY, require_outbox


class OutboxFilter(forms.Form):
    hall = forms.ModelChoiceField(
        queryset=Hall.objects.none(), required=False, label=_("营业厅"), empty_label=_("全部")
    )
    status = forms.ChoiceField(
        choices=[("", _("全部"))] + NotificationStatus.choices, required=False, label=_("状态")
    )
    channel = forms.ChoiceField(choices=[("", _("全部"))] + Channel.choices, required=False, label=_("渠道"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = Hall.objects.for_user(user, OUTBOX_CAPABILITY).order_by("code")


@login_required
def outbox(request):
    require_outbox(request.user)
    form = OutboxFilter(request.GET or None, user=request.user)
    qs = (
        Notification.objects.for_user(request.user, OUTBOX_CAPABILITY)
        .select_related("hall")
        .defer("body", "recipient")
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["hall"]:
            require_outbox(request.user, data["hall"])
            qs = qs.filter(hall=data["hall"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["channel"]:
            qs = qs.filter(channel=data["channel"])
    page = Paginator(qs.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "notify/outbox.html", {"form": form, "page": page, "query": query.urlencode()})
