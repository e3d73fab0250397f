from __future__ import annotations

from django.urls import path

from halls import views

urlpatterns = [
    path("", views.hall_list, name="list"),
    path("<int:pk>/", views.hall_detail, name="detail"),
]
