from __future__ import annotations

from django.contrib import admin

from catalog.models import BusinessType, GlossaryTerm, RequiredMaterial, StandardPhrase


class MaterialInline(admin.TabularInline):
    model = RequiredMaterial
    extra = 0
    fields = ("name", "mandatory", "how_to_obtain", "sort_order")


@admin.register(BusinessType)
class BusinessTypeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "category",
        "ticket_prefix",
        "time_limit_minutes",
        "is_active",
        "sort_order",
    )
    list_filter = ("category", "is_active")
    search_fields = ("code", "name", "name_en")
    filter_horizontal = ("halls",)
    inlines = [MaterialInline]


@admin.register(StandardPhrase)
class StandardPhraseAdmin(admin.ModelAdmin):
    list_display = ("kind", "text", "clause", "sort_order")
    list_filter = ("kind",)
    search_fields = ("text", "text_en")


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ("term", "plain", "plain_en")
    search_fields = ("term", "plain", "plain_en")
