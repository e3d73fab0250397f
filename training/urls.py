from __future__ import annotations

from django.urls import path

from training import views

urlpatterns = [
    path("", views.session_list_view, name="list"),
    path("new/", views.session_new_view, name="new"),
    path("mine/", views.mine_view, name="mine"),
    path("coverage/", views.coverage_view, name="coverage"),
    path("retraining/", views.retraining_view, name="retraining"),
    path("retraining/<int:pk>/cancel/", views.retraining_cancel_view, name="retraining_cancel"),
    path("s/<str:token>/", views.sign_in_view, name="sign_in"),
    path("<int:pk>/", views.session_detail_view, name="detail"),
    path("<int:pk>/qr/", views.session_qr_view, name="qr"),
    path("<int:pk>/materials/", views.session_material_view, name="material_add"),
    path("<int:pk>/materials/<int:material_id>/", views.material_file_view, name="material"),
    path("<int:pk>/cases/", views.session_cases_view, name="cases"),
    path("<int:pk>/cancel/", views.session_cancel_view, name="cancel"),
    path("<int:pk>/attendance/", views.attendance_manual_view, name="attendance_add"),
    path("<int:pk>/attendance/<int:attendance_id>/score/", views.attendance_score_view, name="score"),
]
