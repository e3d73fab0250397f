"""Device/integration tokens: created here (the raw value is shown once, in a message) or with
``manage.py create_token``; revoked by an action. Only the hash is stored."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from halls.admin import HallScopedAdmin
from integrations.models import ApiToken, token_create, token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(HallScopedAdmin):
    list_display = ("name", "kind", "hall", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("kind", "hall")
    search_fields = ("name", "prefix")
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "kind", "hall")
        return ("name", "kind", "hall", "prefix", "created_by", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("kind", "hall", "prefix", "created_by", "created_at", "last_used_at", "revoked_at")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, raw = token_create(hall=obj.hall, kind=obj.kind, name=obj.name, user=request.user)
        obj.pk, obj.prefix, obj.token_hash, obj.created_at = (
            token.pk,
            token.prefix,
            token.token_hash,
            token.created_at,
        )
        obj.created_by = request.user
        obj._state.adding = False
        messages.warning(
            request,
            _("令牌已创建，请立即复制，此后不再显示：%(raw)s") % {"raw": raw},
        )

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token)
        self.message_user(request, _("已吊销所选令牌"))
