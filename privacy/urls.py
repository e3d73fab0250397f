from __future__ import annotations

from django.urls import path, re_path

from privacy import views

urlpatterns = [
    path("customers/", views.customer_list, name="customers"),
    path("customers/<int:pk>/", views.customer_detail, name="customer"),
    path("customers/<int:pk>/reveal/", views.customer_reveal, name="customer_reveal"),
    path("audit/", views.audit_list, name="audit"),
    re_path(r"^audit/export\.(?P<fmt>csv|xlsx)$", views.audit_export, name="audit_export"),
]
