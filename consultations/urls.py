from __future__ import annotations

from django.urls import path

from consultations import views

urlpatterns = [
    path("", views.consultation_list_view, name="list"),
    path("new/", views.consultation_record_view, name="record"),
    path("<int:pk>/", views.consultation_detail_view, name="detail"),
    path("<int:pk>/answer/", views.consultation_answer_view, name="answer"),
    path("<int:pk>/respond/", views.consultation_respond_view, name="respond"),
    path("<int:pk>/reveal/", views.consultation_reveal_view, name="reveal"),
]
