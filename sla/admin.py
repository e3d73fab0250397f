"""Clocks in the admin are read-only: deadlines change only through sla.services (the event log is the truth)."""

from __future__ import annotations

from django.contrib import admin

from halls.admin import HallScopedAdmin
from sla.models import Clock, ClockEvent


class ReadOnlyAdmin(HallScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ClockEventInline(admin.TabularInline):
    model = ClockEvent
    extra = 0
    can_delete = False
    fields = ("kind", "level", "at", "actor", "reason", "data")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = ("pk", "hall", "target", "cycle", "status", "started_at", "deadline", "escalation_level")
    list_filter = ("status", "target", "calendar", "hall")
    date_hierarchy = "deadline"
    list_select_related = ("hall",)
    inlines = [ClockEventInline]


@admin.register(ClockEvent)
class ClockEventAdmin(ReadOnlyAdmin):
    list_display = ("pk", "clock", "hall", "kind", "level", "at", "actor")
    list_filter = ("kind", "hall")
    list_select_related = ("clock", "hall", "actor")
