from __future__ import annotations

from django.urls import path

from staff import views

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("<int:pk>/badge/", views.badge, name="badge"),
]
