from __future__ import annotations

from django.urls import path

from catalog import views

urlpatterns = [
    path("", views.business_type_list, name="list"),
    path("guide/<slug:code>/", views.guide, name="guide"),
    path("guide/<slug:code>/print/", views.guide_print, name="guide_print"),
    path("guide/<slug:code>/public/", views.guide_public, name="guide_public"),
    path("glossary/", views.glossary, name="glossary"),
]
