from __future__ import annotations

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from tingwu import __version__
from tingwu.menu import items_for


@login_required
def home(request):
    from halls.models import Hall
    from staff.access import roles_for
    from staff.models import HallRole, RegionRole

    labels = dict(HallRole.choices) | dict(RegionRole.choices)
    from halls.holidays import missing_next_year
    from staff.access import user_can

    halls = Hall.objects.for_user(request.user).select_related("region")
    return render(
        request,
        "home.html",
        {
            "menu": items_for(request.user),
            "halls": halls,
            # From December HQ sees that next year's holiday arrangement is missing (business-hour limits).
            "holiday_missing": missing_next_year() if user_can(request.user, "standard.publish") else None,
            "roles": sorted(str(labels.get(r, r)) for r in roles_for(request.user)),
        },
    )


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        db_ok = True
    except Exception:
        db_ok = False
    return JsonResponse(
        {"status": "ok" if db_ok else "error", "database": db_ok, "version": __version__},
        status=200 if db_ok else 503,
    )


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def clean_old_password(self):
        old = super().clean_old_password()
        # For staff.passwords.PreviousPasswordVariationValidator (a one-digit change of the old password).
        self.user._tingwu_old_password = old
        return old


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = PasswordChangeForm


def server_error(request, template_name="500.html"):
    """The 500 page in the base layout (Django's default renders it without the request, so no language or user).
    If even that fails, a plain Chinese page: an error page must never raise."""
    try:
        return render(request, template_name, status=500)
    except Exception:
        return HttpResponseServerError(
            '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>系统出错</title>'
            '<h1>系统出错</h1><p>系统暂时出错，请稍后重试。</p><p><a href="/">返回首页</a></p></html>'
        )
