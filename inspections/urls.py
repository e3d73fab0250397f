from __future__ import annotations

from django.urls import path

from inspections import views, visit_views

urlpatterns = [
    path("", views.index_view, name="index"),
    path("start/", views.start_view, name="start"),
    path("runs/<int:pk>/", views.inspection_view, name="inspection"),
    path("runs/<int:pk>/report.pdf", views.report_pdf_view, name="report_pdf"),
    path("answers/<int:pk>/photo/", views.answer_photo_view, name="answer_photo"),
    path("rectifications/", views.board_view, name="board"),
    path("rectifications/<int:pk>/", views.rectification_view, name="rectification"),
    path(
        "rectifications/<int:pk>/complete/", views.rectification_complete_view, name="rectification_complete"
    ),
    path("rectifications/<int:pk>/verify/", views.rectification_verify_view, name="rectification_verify"),
    path("rectifications/<int:pk>/evidence/", views.evidence_view, name="evidence"),
    path("appearance/", views.appearance_view, name="appearance"),
    path("findings/", views.findings_view, name="findings"),
    path("templates/", views.templates_view, name="templates"),
    path("visits/", visit_views.visits_view, name="visits"),
    path("visits/new/", visit_views.visit_new_view, name="visit_new"),
    path("visits/shoppers/new/", visit_views.shopper_new_view, name="shopper_new"),
    path("visits/<int:pk>/", visit_views.visit_view, name="visit"),
    path("visits/<int:pk>/review/", visit_views.visit_review_view, name="visit_review"),
    path("visits/<int:pk>/media/<int:media_id>/", visit_views.visit_media_view, name="visit_media"),
    path("my-visits/", visit_views.my_visits_view, name="my_visits"),
    path("my-visits/<int:pk>/", visit_views.my_visit_view, name="my_visit"),
]
