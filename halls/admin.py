"""Admin for the organisation, and the scoping mixin every Tingwu admin uses: non-superusers see only their
halls (``for_user``) and may only pick their halls in forms."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from halls.models import Counter, Hall, HallDayHours, OfficialDay, OfficialYear, Region, Zone


class HallScopedAdmin(admin.ModelAdmin):
    """Rows through ``Model.objects.for_user``; hall choices limited to visible halls."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser or not hasattr(qs, "for_user"):
            return qs
        return qs.for_user(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Hall and not request.user.is_superuser:
            kwargs["queryset"] = Hall.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ZoneInline(admin.TabularInline):
    model = Zone
    extra = 0


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    fields = (
        "number",
        "name",
        "zone",
        "serves_all",
        "is_accessible",
        "status",
        "calling_profile",
        "priority_ratio_normal",
    )


@admin.register(Region)
class RegionAdmin(HallScopedAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(Hall)
class HallAdmin(HallScopedAdmin):
    list_display = ("code", "name", "region", "complaint_phone", "is_active")
    list_filter = ("is_active", "region")
    search_fields = ("code", "name", "address")
    inlines = [ZoneInline, CounterInline]
    fieldsets = (
        (None, {"fields": ("region", "code", "name", "address", "is_active")}),
        (_("营业时间"), {"fields": ("opening_hours",)}),
        (_("投诉渠道"), {"fields": ("complaint_phone", "complaint_wecom", "complaint_window")}),
        (_("叫号"), {"fields": ("missed_number_rule", "queue_before_opening", "kiosk_idle_seconds")}),
    )


@admin.register(Counter)
class CounterAdmin(HallScopedAdmin):
    list_display = ("__str__", "hall", "zone", "serves_all", "is_accessible", "status")
    list_filter = ("status", "serves_all", "is_accessible", "hall")
    filter_horizontal = ("business_types",)


@admin.register(HallDayHours)
class HallDayHoursAdmin(admin.ModelAdmin):
    """A hall's own hours on a date (holiday opening, closure): used by the business-hour calendar."""

    list_display = ("hall", "day", "hours", "note")
    list_filter = ("hall",)
    date_hierarchy = "day"


class OfficialDayInline(admin.TabularInline):
    model = OfficialDay
    extra = 0


@admin.register(OfficialYear)
class OfficialYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "confirmed_by", "confirmed_at")
    inlines = [OfficialDayInline]
