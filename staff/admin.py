from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from halls.admin import HallScopedAdmin
from staff.models import DutyShift, HallAssignment, RegionAssignment, StaffProfile

# The admin is shared by every app; its titles live here with the rest of the access layer.
admin.site.site_header = _("厅务 Tingwu 管理后台")
admin.site.site_title = _("厅务管理后台")
admin.site.index_title = _("基础资料维护")


@admin.register(StaffProfile)
class StaffProfileAdmin(HallScopedAdmin):
    list_display = (
        "employee_number",
        "full_name",
        "post",
        "user",
        "password_changed_at",
        "must_change_password",
    )
    search_fields = ("employee_number", "full_name", "user__username")
    list_filter = ("must_change_password",)
    readonly_fields = ("password_changed_at",)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        from staff.selectors import staff_visible_to

        return qs.filter(pk__in=staff_visible_to(request.user).values("pk"))


@admin.register(HallAssignment)
class HallAssignmentAdmin(HallScopedAdmin):
    list_display = ("user", "hall", "role")
    list_filter = ("role", "hall")
    search_fields = ("user__username",)


@admin.register(RegionAssignment)
class RegionAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "region", "role")
    list_filter = ("role",)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        # Regional roles are granted by HQ only.
        return qs if request.user.is_superuser else qs.none()


@admin.register(DutyShift)
class DutyShiftAdmin(HallScopedAdmin):
    list_display = ("hall", "user", "starts_at", "ends_at")
    list_filter = ("hall",)
    date_hierarchy = "starts_at"
