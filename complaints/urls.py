from __future__ import annotations

from django.urls import path

from complaints import views

urlpatterns = [
    path("", views.complaint_list_view, name="list"),
    path("new/", views.complaint_intake_view, name="intake"),
    path("hotspots/", views.hotspots_view, name="hotspots"),
    path("hotspots/export.xlsx", views.hotspots_export_view, name="hotspots_export"),
    path("<int:pk>/", views.complaint_detail_view, name="detail"),
    path("<int:pk>/receipt.pdf", views.complaint_receipt_view, name="receipt"),
    path("<int:pk>/result.pdf", views.complaint_letter_view, name="letter"),
    path("<int:pk>/evidence/<int:evidence_id>/", views.evidence_view, name="evidence"),
    path("<int:pk>/reveal/", views.complaint_reveal_view, name="reveal"),
    path("<int:pk>/<slug:step>/", views.complaint_step_view, name="step"),
]
