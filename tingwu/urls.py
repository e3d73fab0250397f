from __future__ import annotations

from importlib import import_module

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from tingwu import views
from tingwu.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=static("tingwu/favicon.svg"), permanent=True)),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# Each domain app contributes its pages under its own prefix (web layer depends on domains, never the reverse).
for _app, _prefix in [
    ("halls", "halls/"),
    ("staff", "staff/"),
    ("catalog", "catalog/"),
    ("standard", "standard/"),
    ("privacy", "privacy/"),
    ("queueing", "queue/"),
    ("floor", "floor/"),
    ("sla", "sla/"),
    ("notify", "notifications/"),
    ("complaints", "complaints/"),
    ("consultations", "consultations/"),
    ("facilities", "facilities/"),
    ("inspections", "inspections/"),
    ("training", "training/"),
    ("visits", "visits/"),
    ("kpi", "kpi/"),
    ("evaluations", "evaluations/"),
]:
    try:
        _module = import_module(f"{_app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_app}.urls":
            raise
        continue
    urlpatterns.append(path(_prefix, include((_module.urlpatterns, _app), namespace=_app)))

handler500 = "tingwu.views.server_error"
