from __future__ import annotations

from django.urls import path

from kpi import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rows/", views.rows, name="rows"),
    path("flags/", views.flags, name="flags"),
    path("flags/<int:pk>/decide/", views.flag_decide, name="flag_decide"),
    path("flags/<int:pk>/follow-up/", views.flag_follow_up, name="flag_follow_up"),
    path("export/clerks.xlsx", views.export_clerks, name="export_clerks"),
    path("pack/", views.pack, name="pack"),
    path("pack/year/", views.pack_year, name="pack_year"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("process/", views.process_changes, name="process"),
]
