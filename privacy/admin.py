"""Customers in the admin: masked only. The ciphertext and the clear value never appear here; a reveal goes
through the audited page (``privacy:customer``)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from halls.admin import HallScopedAdmin
from privacy import crypto
from privacy.models import Customer, PIAccessLog
from privacy.services import PHONE_RE


@admin.register(Customer)
class CustomerAdmin(HallScopedAdmin):
    list_display = (
        "pk",
        "masked_name_col",
        "masked_mobile_col",
        "hall",
        "is_elderly",
        "is_disabled",
        "is_pregnant",
    )
    list_filter = ("hall", "is_elderly", "is_disabled", "is_pregnant")
    search_fields = ("green_channel_agreement",)
    exclude = ("name", "mobile", "id_number")
    readonly_fields = ("masked_name_col", "masked_mobile_col", "masked_id_col", "created_at", "anonymised_at")
    fields = (
        "hall",
        "masked_name_col",
        "masked_mobile_col",
        "masked_id_col",
        "is_elderly",
        "is_disabled",
        "is_pregnant",
        "green_channel_agreement",
        "green_channel_until",
        "marketing_consent",
        "created_at",
        "anonymised_at",
    )

    @admin.display(description=_("姓名"))
    def masked_name_col(self, obj):
        return obj.masked_name

    @admin.display(description=_("手机号"))
    def masked_mobile_col(self, obj):
        return obj.masked_mobile

    @admin.display(description=_("身份证号"))
    def masked_id_col(self, obj):
        return obj.masked_id_number

    def has_add_permission(self, request):
        return (
            False  # customers are registered through the validated service (pages/API), not raw admin forms
        )

    def get_search_results(self, request, queryset, search_term):
        # A phone number is matched through the blind index, never by scanning ciphertext.
        term = crypto.normalise("phone", search_term or "")
        if PHONE_RE.match(term):
            return queryset.filter(mobile_index=crypto.blind_index("phone", term)), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(PIAccessLog)
class PIAccessLogAdmin(HallScopedAdmin):
    list_display = ("at", "user", "hall", "subject_type", "subject_id", "field", "reason", "ip_address")
    list_filter = ("field", "hall")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the audit trail is append-only
