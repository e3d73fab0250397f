"""The standard is published through ``standard_publish`` (page ``standard:publish``); the admin only reads."""

from __future__ import annotations

from django.contrib import admin

from standard.models import StandardParameter, StandardVersion


class ParameterInline(admin.TabularInline):
    model = StandardParameter
    extra = 0
    fields = ("code", "clause", "label", "value", "unit")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StandardVersion)
class StandardVersionAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "effective_from", "published_at", "published_by")
    readonly_fields = ("number", "title", "effective_from", "published_at", "published_by", "notes")
    inlines = [ParameterInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
