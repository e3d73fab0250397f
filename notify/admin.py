"""The outbox in the admin: masked recipient only (never the clear value or the ciphertext), no body."""

from __future__ import annotations

from django.contrib import admin

from halls.admin import HallScopedAdmin
from notify.models import Notification


@admin.register(Notification)
class NotificationAdmin(HallScopedAdmin):
    list_display = (
        "pk",
        "hall",
        "channel",
        "recipient_masked",
        "template",
        "status",
        "attempts",
        "created_at",
    )
    list_filter = ("status", "channel", "hall")
    list_select_related = ("hall",)
    fields = (
        "hall",
        "channel",
        "recipient_masked",
        "template",
        "status",
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "dedupe_key",
        "created_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("recipient", "body")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
