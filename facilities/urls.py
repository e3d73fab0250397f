from __future__ import annotations

from django.urls import path

from facilities import views

urlpatterns = [
    path("", views.index, name="index"),
    path("halls/<int:hall_id>/", views.hall_view, name="hall"),
    path("halls/<int:hall_id>/report/", views.report_pick, name="report"),
    path("halls/<int:hall_id>/sheet/<str:day>/", views.sheet_view, name="sheet"),
    path("f/<int:pk>/", views.facility_view, name="facility"),
    path("f/<int:pk>/label/", views.label_view, name="label"),
    path("faults/<int:pk>/", views.fault_view, name="fault"),
    path("faults/<int:pk>/poster.pdf", views.fault_poster, name="poster"),
    path("faults/<int:pk>/<str:action>/", views.fault_action, name="fault_action"),
    path("checks/<int:pk>/", views.occurrence_view, name="occurrence"),
    path("rounds/<int:pk>/done/", views.round_done, name="round_done"),
    path("photos/<int:pk>/", views.photo_view, name="photo"),
    path("halls/<int:hall_id>/greeter-fragment", views.greeter_fragment, name="greeter_fragment"),
    path("halls/<int:hall_id>/board-fragment", views.board_fragment, name="board_fragment"),
]
