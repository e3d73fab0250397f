from __future__ import annotations

from django.urls import path

from halls import views

urlpatterns = [
    path("", views.hall_list, name="list"),
    path("<int:pk>/", views.hall_detail, name="detail"),
    path("holidays/", views.holiday_years, name="holidays"),
    path("holidays/<int:year>/", views.holiday_year_edit, name="holiday_year"),
]
